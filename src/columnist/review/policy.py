"""The review policy: whether a new post is published by its checks or held for a person.

`review` is set for the desk in [writer] and may be set per [[topics]]; a topic's own
value replaces the desk's for that topic. A story filed under several topics gets the
strictest of their policies, so a topic that wants every post seen is never bypassed
by a story that also falls under a laxer one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from columnist.config import Settings

if TYPE_CHECKING:
    from columnist.commentary.compose import Draft
    from columnist.records import StoryInput

STRICTNESS = {"auto": 0, "hold-flagged": 1, "hold": 2}


def policy_for(settings: Settings, topics: list[str]) -> str:
    """The policy in force for a story filed under `topics` (slugs)."""
    desk = settings.writer.review
    by_slug = {t.slug: t for t in settings.topics}
    chosen = [by_slug[s].review or desk for s in topics if s in by_slug] or [desk]
    return max(chosen, key=STRICTNESS.__getitem__)


def outlets(story: StoryInput) -> int:
    """How many different outlets the story's entries come from."""
    return len({outlet for outlet, _title, _text, _when in story.sources})


def flagged(draft: Draft, story: StoryInput) -> bool:
    """A check failed, the verifier could not support a sentence, or one outlet alone.
    Not a speaker's words used as the writer's own (`draft.borrowed`): an editor sees
    them marked, but held for them the demo's posts would wait on five in sixteen."""
    return not draft.check.passed or bool(draft.unverified) or outlets(story) < 2


def post_status(settings: Settings, story: StoryInput, draft: Draft) -> str:
    """ "published", "held" (for a person) or "draft" (failed a check, auto policy)."""
    policy = policy_for(settings, story.topics)
    if policy == "hold" or (policy == "hold-flagged" and flagged(draft, story)):
        return "held"
    return "published" if draft.check.passed or not settings.writer.strict else "draft"
