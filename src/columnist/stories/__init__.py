"""Stories stage: embeddings, same-event clustering, topic assignment."""
