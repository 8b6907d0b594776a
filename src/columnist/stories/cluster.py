"""Online same-event clustering.

An entry joins the open story whose members it is most similar to on average (average
linkage: the dot product with the mean of the members' unit vectors equals the mean
cosine to each member) if that similarity reaches the threshold and the story was last
seen within the time window of the entry; otherwise it starts a story.

Only stories inside the window are held, in one preallocated matrix whose rows are
updated in place and reused after eviction, so memory follows the window, not the
history, and a batch of entries is matched against all open stories with one matrix
product instead of one matrix-vector product per entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from columnist.stories.embed import DIM

_DEAD = np.float32(-np.inf)
BLOCK = 256  # entries matched per matrix product (see StoryIndex.place)


@dataclass(slots=True, eq=False)
class OpenStory:
    """A story still open to new entries. `id` is None until the store has given one."""

    id: int | None
    count: int
    first_seen: datetime
    last_seen: datetime
    title: str = ""
    slot: int = -1
    hits: set[str] = field(default_factory=set)  # topic phrases found in its entries


@dataclass(slots=True)
class Placement:
    story: OpenStory
    created: bool
    similarity: float  # to the chosen story, or the best (too low) one when created


class StoryIndex:
    """Open stories as rows of a float32 matrix of member means, kept up to date per join."""

    def __init__(
        self, window: timedelta, threshold: float, dim: int = DIM, capacity: int = 256
    ) -> None:
        self.window, self.threshold, self.dim = window, threshold, dim
        self._window_s = window.total_seconds()
        self._totals = np.zeros((capacity, dim), dtype=np.float32)
        self._means = np.zeros((capacity, dim), dtype=np.float32)
        self._last = np.full(capacity, -np.inf)  # last_seen as POSIX seconds; -inf = free
        self._stories: list[OpenStory | None] = [None] * capacity
        self._free: list[int] = list(range(capacity - 1, -1, -1))
        self._used = 0  # rows [0, _used) hold every open story
        self._open = 0
        self.peak_open = 0

    def __len__(self) -> int:
        return self._open

    @property
    def stories(self) -> list[OpenStory]:
        return [s for s in self._stories[: self._used] if s is not None]

    @property
    def capacity(self) -> int:
        return len(self._stories)

    def total(self, story: OpenStory) -> np.ndarray:
        """Sum of the story's member unit vectors (a copy)."""
        return self._totals[story.slot].copy()

    def mean(self, story: OpenStory) -> np.ndarray:
        return self._means[story.slot].copy()

    def _grow(self) -> None:
        old = self.capacity
        new = old * 2
        for name in ("_totals", "_means"):
            grown = np.zeros((new, self.dim), dtype=np.float32)
            grown[:old] = getattr(self, name)
            setattr(self, name, grown)
        last = np.full(new, -np.inf)
        last[:old] = self._last
        self._last = last
        self._stories.extend([None] * (new - old))
        self._free = list(range(new - 1, old - 1, -1)) + self._free

    def add(self, story: OpenStory, total: np.ndarray) -> OpenStory:
        """Hold a story whose member vectors sum to `total` (count = story.count)."""
        if not self._free:
            self._grow()
        slot = self._free.pop()
        story.slot = slot
        self._stories[slot] = story
        self._totals[slot] = total
        self._means[slot] = total / max(story.count, 1)
        self._last[slot] = story.last_seen.timestamp()
        self._used = max(self._used, slot + 1)
        self._open += 1
        self.peak_open = max(self.peak_open, self._open)
        return story

    def evict_before(self, moment: datetime) -> list[OpenStory]:
        """Close stories last seen before `moment - window`; returns them."""
        cutoff = moment.timestamp() - self._window_s
        gone = np.flatnonzero(self._last[: self._used] < cutoff)
        closed = []
        for slot in gone.tolist():
            story = self._stories[slot]
            if story is None:
                continue
            closed.append(story)
            self._stories[slot] = None
            self._totals[slot] = 0.0
            self._means[slot] = 0.0
            self._last[slot] = -np.inf
            self._free.append(slot)
            self._open -= 1
        while self._used and self._stories[self._used - 1] is None:
            self._used -= 1
        if closed:  # keep low slots first so the occupied prefix stays short
            self._free = sorted(set(self._free), reverse=True)
        return closed

    def join(self, story: OpenStory, vector: np.ndarray, published: datetime) -> None:
        slot = story.slot
        self._totals[slot] += vector
        story.count += 1
        self._means[slot] = self._totals[slot] / story.count
        story.first_seen = min(story.first_seen, published)
        story.last_seen = max(story.last_seen, published)
        self._last[slot] = story.last_seen.timestamp()

    def best_match(self, vector: np.ndarray, published: datetime) -> tuple[OpenStory | None, float]:
        """The open story this entry belongs to, if any, and its average similarity."""
        n = self._used
        if not n:
            return None, 0.0
        sims = self._means[:n] @ vector
        return self._choose(sims, published.timestamp())

    def _choose(self, sims: np.ndarray, moment: float) -> tuple[OpenStory | None, float]:
        """Best row of `sims` (modified in place) that is open and within the window."""
        occupied = np.isfinite(self._last[: len(sims)])
        sims[~occupied] = _DEAD
        best = float(sims.max()) if len(sims) else 0.0
        while len(sims):
            idx = int(sims.argmax())
            score = float(sims[idx])
            if score < self.threshold:
                break
            if abs(moment - self._last[idx]) <= self._window_s:
                return self._stories[idx], score
            sims[idx] = _DEAD
        return None, best if np.isfinite(best) else 0.0

    def place(
        self,
        vectors: np.ndarray,
        published: Sequence[datetime],
        titles: Sequence[str] | None = None,
    ) -> list[Placement]:
        """Put a time-ordered batch of entries into stories, exactly as one at a time would.

        Work goes in blocks of BLOCK entries: one matrix product gives a block's
        similarities to every open story; when a story changes inside the block (an entry
        joins or starts it) only its column is recomputed for the entries still to come.
        Small blocks keep that in-block work (quadratic in the block) cheap.
        """
        out: list[Placement] = []
        for start in range(0, len(vectors), BLOCK):
            stop = start + BLOCK
            names = titles[start:stop] if titles is not None else None
            out += self._place_block(vectors[start:stop], published[start:stop], names)
        return out

    def _place_block(
        self,
        vectors: np.ndarray,
        published: Sequence[datetime],
        titles: Sequence[str] | None,
    ) -> list[Placement]:
        if not len(vectors):
            return []
        self.evict_before(published[0])
        while len(self._free) < len(vectors):  # no growth mid-block: columns stay put
            self._grow()
        sims_all = np.full((len(vectors), self.capacity), _DEAD, dtype=np.float32)
        if self._used:
            np.matmul(vectors, self._means[: self._used].T, out=sims_all[:, : self._used])
        out: list[Placement] = []
        for i, (vector, when) in enumerate(zip(vectors, published, strict=True)):
            story, score = self._choose(sims_all[i, : self._used], when.timestamp())
            if story is None:
                title = titles[i] if titles is not None else ""
                story = self.add(OpenStory(None, 1, when, when, title), vector)
                out.append(Placement(story, True, score))
            else:
                self.join(story, vector, when)
                out.append(Placement(story, False, score))
            if i + 1 < len(vectors):
                sims_all[i + 1 :, story.slot] = vectors[i + 1 :] @ self._means[story.slot]
        return out


def cluster(
    vectors: np.ndarray,
    published: Sequence[datetime],
    window: timedelta,
    threshold: float,
    batch: int = 256,
) -> list[int]:
    """Story label (0, 1, ...) of each entry, entries taken in publication order.

    The same StoryIndex the `assign` stage uses, without a store: for evaluation.
    """
    order = sorted(range(len(published)), key=lambda i: published[i])
    index = StoryIndex(window, threshold, dim=vectors.shape[1] if len(vectors) else DIM)
    labels = [0] * len(order)
    made = 0
    for start in range(0, len(order), batch):
        chunk = order[start : start + batch]
        placements = index.place(vectors[chunk], [published[i] for i in chunk])
        for i, p in zip(chunk, placements, strict=True):
            if p.created:
                p.story.id, made = made, made + 1
            labels[i] = p.story.id
    return labels
