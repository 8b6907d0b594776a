"""The first-person words the writer begins its paragraphs with.

Given to the model, not sampled: an opening frame ("When I read that"), a lead for each
later paragraph ("I am struck that") and one for the closing ("I grant that"). Compose
rotates them; the verifier knows that what follows a frame or a lead is a claim the
column makes, not an opinion.
"""

from __future__ import annotations

# First-person frames for the opening paragraph, rotated by story and chosen so that no two
# recent posts on a topic start with the same words.
FRAMES = (
    "When I read that",
    "What I keep coming back to is that",
    "My first reaction to the news that",
    "I think it matters that",
    "It seems to me significant that",
    "I have been thinking about how",
    "What strikes me most is that",
    "To my mind, the real story is that",
    "I will admit that I did not expect",
    "My own view starts from the fact that",
    "I find it telling that",
    "The detail I cannot put down is that",
)


# Leads for the paragraphs after the opening. Without one the model slips back into the
# agency's voice in about one middle paragraph in three ("voice: no first person" was the
# eval's commonest reason to write a paragraph again, ~8 s each). They point at the facts
# ("the telling fact is"), not at guesses ("my worry is that" invites consequences the news
# does not mention), and no two share their first three words or the opening frames' ends.
POINT_LEADS = (
    "To me, the telling detail is that",
    "I take it seriously that",
    "What persuades me is that",
    "I am struck that",
    "I would also point out that",
    "I give real weight to how",
)
CLOSING_LEADS = (
    "I grant that",
    "I accept that",
    "I understand why some would say that",
    "I can see the case that",
)
# The closing's leads when nobody in the news sees it otherwise: what should happen now.
# Answering an objection nobody in the news makes, the closing made its holders up ("many
# people are worried about how long the pier will last"; 6 of 27 unsupported sentences
# in 10 posts, stories 31-40); granting a limit instead, it restated the view or made the
# limit up. A wish for what comes next is the writer's own and states no fact.
ACTION_LEADS = (
    "What I want to see now is",
    "My hope now is that",
    "What I would like to see next is",
    "What should happen now, I think, is that",
)

# What follows these is stated as fact ("I find it telling that Fico was shot by
# supporters"): the frames and point leads, not the closing's grants of the other side.
ASSERTING = FRAMES + POINT_LEADS


def _after_lead(sentence: str, leads: tuple[str, ...]) -> str | None:
    """The rest of a sentence begun with one of `leads`, or None."""
    for lead in leads:
        if sentence.lower().startswith(lead.lower() + " "):
            return sentence[len(lead) + 1 :]
    return None


def asserted_claim(sentence: str) -> str | None:
    """What a sentence begun with an asserting frame or lead states, or None."""
    return _after_lead(sentence, ASSERTING)


def point_claim(sentence: str) -> str | None:
    """What a sentence begun with a point lead states ("I would also point out that X")."""
    return _after_lead(sentence, POINT_LEADS)
