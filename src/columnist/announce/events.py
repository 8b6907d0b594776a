"""Which events are new for a target, from the posts' states and what the target was
already told. Pure: the stage reads both from the store and records the answer."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from columnist.store.deliveries import Delivery, PostState


@dataclass(frozen=True, slots=True)
class Event:
    post_id: int
    event: str  # "published" | "updated" | "retracted"
    post_updated: datetime  # the text it is about
    wanted: bool  # False: recorded as "skipped" (not asked for, or too old, or off-topic)


def next_events(
    states: list[PostState],
    told: dict[int, list[Delivery]],
    events: Collection[str],
    now: datetime,
    backfill: float,
    on_site: Callable[[PostState], bool],
    topics: Collection[str] = (),
) -> list[Event]:
    """Each post's next event for one target.

    A published post not yet announced is "published" once its page is on the site;
    one published more than `backfill` seconds ago is recorded but not sent (a target
    added to an old desk does not get its whole archive). A post whose text changed
    after the last announced text is "updated"; a retracted post that was announced is
    "retracted". `events` are the ones the target asked for, `topics` (slugs; empty:
    all) the posts it hears about; the rest are recorded as skipped, so they are not
    found again. A retraction goes to a target that saw the post published.
    """
    found = []
    for state in states:
        rows = told.get(state.id, [])
        on_topic = not topics or any(t in topics for t in state.topics)
        texts = [r.post_updated for r in rows if r.event in ("published", "updated")]
        if state.status == "published" and not texts:
            if not on_site(state):
                continue  # the build has not written its page: the next run sends it
            fresh = now - state.published <= timedelta(seconds=backfill)
            wanted = fresh and on_topic and "published" in events
            found.append(Event(state.id, "published", state.updated, wanted))
        elif state.status == "published" and "updated" in events and state.updated > max(texts):
            found.append(Event(state.id, "updated", state.updated, on_topic))
        elif state.status == "retracted" and "retracted" in events:
            seen = any(r.event == "published" for r in rows)  # it was up while watched
            if seen and not any(r.event == "retracted" for r in rows):
                found.append(Event(state.id, "retracted", state.updated, on_topic))
    return found
