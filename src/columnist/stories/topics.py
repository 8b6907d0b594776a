"""Zero-shot topic assignment: embedding similarity plus keyword and exclude rules.

A story is filed under every topic whose name+description embedding is close enough to
the story's mean embedding; a topic keyword found in the story's text always files it;
an exclude phrase found there never does. Multi-label by design.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from columnist.config import TopicSettings


@dataclass(slots=True)
class TopicMatch:
    slug: str
    score: float
    rule: str  # "similarity" | "keyword"


@dataclass(slots=True)
class TopicDecision:
    """Why a topic was or wasn't chosen, for `topics explain`."""

    slug: str
    score: float
    filed: bool
    reason: str


@lru_cache(maxsize=512)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase.strip()) + r"(?!\w)", re.IGNORECASE)


def find_phrase(phrases: list[str], text: str) -> str | None:
    for phrase in phrases:
        if phrase.strip() and _phrase_pattern(phrase).search(text):
            return phrase
    return None


def topic_text(topic: TopicSettings) -> str:
    return f"{topic.name}. {topic.description}".strip()


class TopicAssigner:
    def __init__(
        self, topics: list[TopicSettings], topic_vectors: np.ndarray, threshold: float
    ) -> None:
        self.topics, self.vectors, self.threshold = topics, topic_vectors, threshold

    def decide(self, story_vector: np.ndarray, text: str) -> list[TopicDecision]:
        scores = self.vectors @ story_vector if len(self.topics) else np.zeros(0)
        decisions = []
        for topic, score in zip(self.topics, scores, strict=True):
            excluded = find_phrase(topic.exclude, text)
            keyword = find_phrase(topic.keywords, text)
            if excluded:
                decisions.append(
                    TopicDecision(
                        topic.slug, float(score), False, f"exclude phrase {excluded!r} found"
                    )
                )
            elif keyword:
                decisions.append(
                    TopicDecision(topic.slug, float(score), True, f"keyword {keyword!r} found")
                )
            elif score >= self.threshold:
                decisions.append(
                    TopicDecision(
                        topic.slug,
                        float(score),
                        True,
                        f"similarity {score:.3f} >= {self.threshold}",
                    )
                )
            else:
                decisions.append(
                    TopicDecision(
                        topic.slug,
                        float(score),
                        False,
                        f"similarity {score:.3f} < {self.threshold}",
                    )
                )
        return decisions

    def assign(self, story_vector: np.ndarray, text: str) -> list[TopicMatch]:
        return [
            TopicMatch(
                d.slug, d.score, "keyword" if d.reason.startswith("keyword") else "similarity"
            )
            for d in self.decide(story_vector, text)
            if d.filed
        ]
