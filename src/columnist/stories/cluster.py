"""Online same-event clustering.

An entry joins the open story it has the strongest evidence for, if that evidence
reaches the threshold and the story was last seen within the time window of the entry;
otherwise it starts a story. The evidence for a story is:

- the entry's mean cosine to the story's members (average linkage: the dot product with
  the mean of the members' unit vectors equals the mean cosine to each member);
- plus `name_weight` for each unit of rarity (idf among the open stories' entries, at
  most IDF_CAP a name) of the names and numbers it shares with the story, up to
  NAME_CAP units; minus NO_NAME_SHARE times `name_weight` when it shares none
  (stories/names.py): one event's reports name the same people, places and figures,
  while one subject's items merely resemble each other;
- minus `same_source_penalty` times the share of the story's entries that came from the
  entry's own source: one outlet rarely reports one event twice in a day, and its items
  about one country or subject are alike in wording, so joining its own items needs
  stronger evidence than joining another outlet's report;

and the threshold rises by `crowding` times how far the second-best open story's
evidence exceeds CROWD_FLOOR: an entry that fits two open stories almost as well is an
item about their subject, not clearly a report of either event. A story of two or more
entries is closed to an entry whose mean cosine to it is more than `cohesion_gap` below
the story's cohesion (the mean cosine between its own entries): five reports of a pier
off Gaza at 0.83 to each other do not take a report of soldiers killed in Gaza at 0.40,
which their mean alone let in.

Only stories inside the window are held, in one preallocated matrix whose rows are
updated in place and reused after eviction, so memory follows the window, not the
history, and a batch of entries is matched against all open stories with one matrix
product instead of one matrix-vector product per entry. Names and sources are held as
postings (name -> the open stories that have it), so their evidence for every open
story is a few vector operations, too.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from columnist.stories.embed import DIM

_DEAD = np.float32(-np.inf)
BLOCK = 256  # entries matched per matrix product (see StoryIndex.place)
IDF_CAP = 4.0  # a name in at most 1 of e^4 ~ 55 open entries counts in full
NAME_CAP = 12.0  # idf units: three rare names are all the evidence names can give
NO_NAME_SHARE = 3.0  # times name_weight taken off when the entry shares no name
CROWD_FLOOR = 0.30  # evidence below this makes no story a competitor


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
    names: Counter[str] = field(default_factory=Counter)  # name -> entries that have it
    sources: Counter[Hashable] = field(default_factory=Counter)  # source -> its entries
    # Its sum of vectors when it closed: a story that ages out in the middle of a page is
    # still filed and stored with that page, after its row is zeroed and maybe reused.
    closed_total: np.ndarray | None = None


@dataclass(slots=True)
class Placement:
    story: OpenStory
    created: bool
    similarity: float  # mean cosine to the chosen story, or the best (too low) one
    score: float = 0.0  # the evidence for that story (similarity when no names/sources)


class StoryIndex:
    """Open stories as rows of a float32 matrix of member means, kept up to date per join.

    `name_weight`, `same_source_penalty` and `crowding` at 0 (the defaults) give plain
    average linkage on the embeddings; the `assign` stage passes the [stories] settings.
    """

    def __init__(
        self,
        window: timedelta,
        threshold: float,
        dim: int = DIM,
        capacity: int = 256,
        *,
        name_weight: float = 0.0,
        same_source_penalty: float = 0.0,
        crowding: float = 0.0,
        cohesion_gap: float = 0.0,
    ) -> None:
        self.window, self.threshold, self.dim = window, threshold, dim
        self.name_weight = name_weight
        self.same_source_penalty = same_source_penalty
        self.crowding = crowding
        self.cohesion_gap = cohesion_gap
        self._window_s = window.total_seconds()
        self._totals = np.zeros((capacity, dim), dtype=np.float32)
        self._means = np.zeros((capacity, dim), dtype=np.float32)
        self._counts = np.zeros(capacity)  # entries per story, for source shares
        # mean cosine between a story's entries; -1 (never too far) below two entries
        self._cohesion = np.full(capacity, -1.0)
        self._last = np.full(capacity, -np.inf)  # last_seen as POSIX seconds; -inf = free
        self._stories: list[OpenStory | None] = [None] * capacity
        self._free: list[int] = list(range(capacity))  # a heap: low slots are reused first
        self._used = 0  # rows [0, _used) hold every open story
        self._expiry: list[tuple[float, int]] = []  # heap of (a last_seen, slot)
        self._newest = -np.inf  # latest last_seen ever held
        self._open = 0
        self.peak_open = 0
        # Evidence beyond the embeddings, for the open stories only.
        self._entries = 0  # entries in open stories (the idf's document count)
        self._df: Counter[str] = Counter()  # name -> open entries that have it
        self._name_slots: dict[str, dict[int, int]] = {}  # name -> {slot: its entries}
        self._source_slots: dict[Hashable, dict[int, int]] = {}  # source -> {slot: entries}

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
        if story.closed_total is not None:
            return story.closed_total.copy()
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
        counts = np.zeros(new)
        counts[:old] = self._counts
        self._counts = counts
        cohesion = np.full(new, -1.0)
        cohesion[:old] = self._cohesion
        self._cohesion = cohesion
        last = np.full(new, -np.inf)
        last[:old] = self._last
        self._last = last
        self._stories.extend([None] * (new - old))
        self._free.extend(range(old, new))
        heapq.heapify(self._free)

    # ---- postings of names and sources ----------------------------------------------

    def _post(self, slot: int, names: Mapping[str, int], sources: Mapping[Hashable, int]) -> None:
        for name, n in names.items():
            held = self._name_slots.setdefault(name, {})
            held[slot] = held.get(slot, 0) + n
        self._df.update(names)
        for source, n in sources.items():
            held = self._source_slots.setdefault(source, {})
            held[slot] = held.get(slot, 0) + n

    def _post_entry(
        self, story: OpenStory, names: frozenset[str] | None, source: Hashable | None
    ) -> None:
        """Count one more entry of `story` with these names and this source."""
        slot = story.slot
        if names:
            story.names.update(names)
            self._df.update(names)
            for name in names:
                held = self._name_slots.setdefault(name, {})
                held[slot] = held.get(slot, 0) + 1
        if source is not None:
            story.sources[source] += 1
            held = self._source_slots.setdefault(source, {})
            held[slot] = held.get(slot, 0) + 1

    def _unpost(self, story: OpenStory) -> None:
        slot = story.slot
        for name, n in story.names.items():
            held = self._name_slots.get(name)
            if held is not None:
                held.pop(slot, None)
                if not held:
                    del self._name_slots[name]
            left = self._df[name] - n
            if left > 0:
                self._df[name] = left
            else:
                self._df.pop(name, None)
        for source in story.sources:
            held = self._source_slots.get(source)
            if held is not None:
                held.pop(slot, None)
                if not held:
                    del self._source_slots[source]

    # ---- stories in and out ---------------------------------------------------------

    def add(self, story: OpenStory, total: np.ndarray) -> OpenStory:
        """Hold a story whose member vectors sum to `total` (count = story.count), with
        its members' names and sources counted in `story.names` / `story.sources`."""
        if not self._free:
            self._grow()
        slot = heapq.heappop(self._free)
        story.slot = slot
        self._stories[slot] = story
        self._totals[slot] = total
        self._means[slot] = total / max(story.count, 1)
        self._counts[slot] = story.count
        self._set_cohesion(slot)
        self._last[slot] = story.last_seen.timestamp()
        self._used = max(self._used, slot + 1)
        self._open += 1
        self.peak_open = max(self.peak_open, self._open)
        self._entries += story.count
        heapq.heappush(self._expiry, (float(self._last[slot]), slot))
        self._newest = max(self._newest, float(self._last[slot]))
        self._post(slot, story.names, story.sources)
        return story

    def evict_before(self, moment: datetime) -> list[OpenStory]:
        """Close stories last seen before `moment - window`; returns them."""
        return self._evict(moment.timestamp() - self._window_s)

    def _evict(self, cutoff: float) -> list[OpenStory]:
        """Every story's current last_seen is on the expiry heap (with older, stale
        ones), so finding the stories to close costs nothing when there are none."""
        closed = []
        while self._expiry and self._expiry[0][0] < cutoff:
            _, slot = heapq.heappop(self._expiry)
            story = self._stories[slot]
            if story is None or self._last[slot] >= cutoff:
                continue  # already closed, or seen again since
            closed.append(story)
            story.closed_total = self._totals[slot].copy()
            self._unpost(story)
            self._entries -= story.count
            self._stories[slot] = None
            self._totals[slot] = 0.0
            self._means[slot] = 0.0
            self._counts[slot] = 0.0
            self._cohesion[slot] = -1.0
            self._last[slot] = -np.inf
            heapq.heappush(self._free, slot)
            self._open -= 1
        while self._used and self._stories[self._used - 1] is None:
            self._used -= 1
        return closed

    def _set_cohesion(self, slot: int) -> None:
        """The mean pairwise cosine of the story's unit vectors, from their sum alone:
        |sum|^2 = n + 2 x (the sum of the pairwise cosines)."""
        n = self._counts[slot]
        if n < 2:
            self._cohesion[slot] = -1.0
            return
        total = self._totals[slot].astype(np.float64)
        self._cohesion[slot] = (float(total @ total) - n) / (n * (n - 1))

    def join(
        self,
        story: OpenStory,
        vector: np.ndarray,
        published: datetime,
        names: frozenset[str] | None = None,
        source: Hashable | None = None,
    ) -> None:
        slot = story.slot
        self._totals[slot] += vector
        story.count += 1
        self._counts[slot] = story.count
        self._means[slot] = self._totals[slot] / story.count
        self._set_cohesion(slot)
        story.first_seen = min(story.first_seen, published)
        if published > story.last_seen:
            story.last_seen = published
            self._last[slot] = published.timestamp()
            heapq.heappush(self._expiry, (float(self._last[slot]), slot))
            self._newest = max(self._newest, float(self._last[slot]))
        self._entries += 1
        self._post_entry(story, names, source)

    def _start(
        self,
        vector: np.ndarray,
        published: datetime,
        title: str,
        names: frozenset[str] | None,
        source: Hashable | None,
    ) -> OpenStory:
        story = self.add(OpenStory(None, 1, published, published, title), vector)
        self._post_entry(story, names, source)
        return story

    # ---- choosing a story -----------------------------------------------------------

    def best_match(
        self,
        vector: np.ndarray,
        published: datetime,
        names: frozenset[str] | None = None,
        source: Hashable | None = None,
    ) -> tuple[OpenStory | None, float]:
        """The open story this entry belongs to, if any, and its average similarity."""
        n = self._used
        if not n:
            return None, 0.0
        sims = self._means[:n] @ vector
        moment = published.timestamp()
        sims[self._last[:n] < moment - self._window_s] = _DEAD  # free rows: -inf
        story, similarity, _ = self._choose(sims, moment, names, source)
        return story, similarity

    def _name_evidence(self, sims: np.ndarray, names: frozenset[str] | None) -> np.ndarray:
        """Cosine plus the names' evidence for each of the first len(sims) slots (every
        open story's slot is among them); only slots in the names' postings are touched
        one by one."""
        score = sims.astype(np.float64)
        if not self.name_weight or names is None:
            return score
        none_shared = NO_NAME_SHARE * self.name_weight
        score -= none_shared
        docs = self._entries + 2  # the entry counts, as it will once placed
        slots, idfs = [], []
        for name in names:
            held = self._name_slots.get(name)
            if held:
                slots.append(np.fromiter(held, dtype=np.intp, count=len(held)))
                idfs.append(min(IDF_CAP, math.log(docs / (self._df[name] + 1))))
        if slots:
            shared = np.zeros(len(sims))
            for these, idf in zip(slots, idfs, strict=True):
                shared[these] += idf
            hit = np.unique(np.concatenate(slots))
            score[hit] += none_shared + self.name_weight * np.minimum(shared[hit], NAME_CAP)
        return score

    def _choose(
        self,
        sims: np.ndarray,
        moment: float,
        names: frozenset[str] | None = None,
        source: Hashable | None = None,
    ) -> tuple[OpenStory | None, float, float]:
        """The story of the best evidence among rows of `sims` within the window, if it
        is enough; with its cosine and its evidence. Rows of free slots and of stories
        last seen a window before `moment` must be -inf already (the callers evict)."""
        n = len(sims)
        if not n:
            return None, 0.0, 0.0
        score = self._name_evidence(sims, names)
        if self.cohesion_gap:
            score[self._cohesion[:n] - sims > self.cohesion_gap] = -np.inf
        late = moment + self._window_s
        if self._newest > late:  # an entry older than some story by more than the window
            score[self._last[:n] > late] = -np.inf
        held = self._source_slots.get(source) if self.same_source_penalty else None
        if held:
            # The penalty only lowers evidence, so it matters only for the stories that
            # could be chosen or crowd the choice: the few at the lower of the two bars.
            floor = min(self.threshold, CROWD_FLOOR) if self.crowding else self.threshold
            for slot in np.flatnonzero(score >= floor).tolist():
                mine = held.get(slot)
                if mine:
                    score[slot] -= self.same_source_penalty * mine / self._counts[slot]
        best = int(score.argmax())
        top = float(score[best])
        if top == -np.inf:
            return None, 0.0, 0.0
        similarity = float(sims[best])
        needed = self.threshold
        if self.crowding and top >= needed:
            score[best] = -np.inf
            second = float(score.max())
            if second > CROWD_FLOOR:
                needed += self.crowding * (second - CROWD_FLOOR)
        if top < needed:
            return None, similarity, top
        return self._stories[best], similarity, top

    def place(
        self,
        vectors: np.ndarray,
        published: Sequence[datetime],
        titles: Sequence[str] | None = None,
        names: Sequence[frozenset[str]] | None = None,
        sources: Sequence[Hashable] | None = None,
    ) -> list[Placement]:
        """Put a time-ordered batch of entries into stories, exactly as one at a time would.

        `names` (stories/names.py) and `sources` (any id of the feed or outlet) are the
        evidence beyond the embeddings; without them only the cosine counts.

        Work goes in blocks of BLOCK entries: one matrix product gives a block's
        similarities to every open story; when a story changes inside the block (an entry
        joins or starts it) only its column is recomputed for the entries still to come.
        Small blocks keep that in-block work (quadratic in the block) cheap.
        """
        out: list[Placement] = []
        for start in range(0, len(vectors), BLOCK):
            stop = start + BLOCK
            out += self._place_block(
                vectors[start:stop],
                published[start:stop],
                titles[start:stop] if titles is not None else None,
                names[start:stop] if names is not None else None,
                sources[start:stop] if sources is not None else None,
            )
        return out

    def _place_block(
        self,
        vectors: np.ndarray,
        published: Sequence[datetime],
        titles: Sequence[str] | None,
        names: Sequence[frozenset[str]] | None,
        sources: Sequence[Hashable] | None,
    ) -> list[Placement]:
        if not len(vectors):
            return []
        self.evict_before(published[0])
        while len(self._free) < len(vectors):  # no growth mid-block: columns stay put
            self._grow()
        sims_all = np.full((len(vectors), self.capacity), _DEAD, dtype=np.float32)
        if self._used:
            np.matmul(vectors, self._means[: self._used].T, out=sims_all[:, : self._used])
            sims_all[:, np.flatnonzero(self._last[: self._used] == -np.inf)] = _DEAD
        out: list[Placement] = []
        for i, (vector, when) in enumerate(zip(vectors, published, strict=True)):
            moment = when.timestamp()
            if i:  # stories that age out inside the block close here, names and all
                for closed in self._evict(moment - self._window_s):
                    sims_all[i:, closed.slot] = _DEAD
            mine = names[i] if names is not None else None
            source = sources[i] if sources is not None else None
            story, similarity, score = self._choose(sims_all[i, : self._used], moment, mine, source)
            if story is None:
                title = titles[i] if titles is not None else ""
                story = self._start(vector, when, title, mine, source)
                out.append(Placement(story, True, similarity, score))
            else:
                self.join(story, vector, when, mine, source)
                out.append(Placement(story, False, similarity, score))
            if i + 1 < len(vectors):
                sims_all[i + 1 :, story.slot] = vectors[i + 1 :] @ self._means[story.slot]
        return out


def cluster(
    vectors: np.ndarray,
    published: Sequence[datetime],
    window: timedelta,
    threshold: float,
    batch: int = 256,
    *,
    names: Sequence[frozenset[str]] | None = None,
    sources: Sequence[Hashable] | None = None,
    name_weight: float = 0.0,
    same_source_penalty: float = 0.0,
    crowding: float = 0.0,
    cohesion_gap: float = 0.0,
) -> list[int]:
    """Story label (0, 1, ...) of each entry, entries taken in publication order.

    The same StoryIndex the `assign` stage uses, without a store: for evaluation.
    """
    order = sorted(range(len(published)), key=lambda i: published[i])
    index = StoryIndex(
        window,
        threshold,
        dim=vectors.shape[1] if len(vectors) else DIM,
        name_weight=name_weight,
        same_source_penalty=same_source_penalty,
        crowding=crowding,
        cohesion_gap=cohesion_gap,
    )
    labels = [0] * len(order)
    made = 0
    for start in range(0, len(order), batch):
        chunk = order[start : start + batch]
        placements = index.place(
            vectors[chunk],
            [published[i] for i in chunk],
            names=[names[i] for i in chunk] if names is not None else None,
            sources=[sources[i] for i in chunk] if sources is not None else None,
        )
        for i, p in zip(chunk, placements, strict=True):
            if p.created:
                p.story.id, made = made, made + 1
            labels[i] = p.story.id
    return labels
