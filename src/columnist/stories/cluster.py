"""Online same-event clustering.

An entry joins the open story whose members it is most similar to on average
(average linkage, computed from each story's running sum of unit vectors) if that
similarity reaches the threshold and the story is within the time window; otherwise it
starts a story. Only stories inside the window are held, so memory follows the window,
not the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from columnist.stories.embed import DIM


@dataclass(slots=True)
class OpenStory:
    id: int
    total: np.ndarray  # sum of member unit vectors
    count: int
    last_seen: datetime


class StoryIndex:
    """The open stories, as a matrix so one entry is matched against all in one product."""

    def __init__(self, window: timedelta, threshold: float) -> None:
        self.window, self.threshold = window, threshold
        self.stories: list[OpenStory] = []
        self._matrix = np.zeros((0, DIM), dtype=np.float32)
        self._dirty = False

    def add(self, story: OpenStory) -> None:
        self.stories.append(story)
        self._dirty = True

    def evict_before(self, moment: datetime) -> None:
        """Close stories last seen before `moment - window`."""
        cutoff = moment - self.window
        kept = [s for s in self.stories if s.last_seen >= cutoff]
        if len(kept) != len(self.stories):
            self.stories, self._dirty = kept, True

    def _means(self) -> np.ndarray:
        if self._dirty:
            if self.stories:
                totals = np.stack([s.total for s in self.stories])
                counts = np.array([s.count for s in self.stories], dtype=np.float32)
                self._matrix = totals / counts[:, None]
            else:
                self._matrix = np.zeros((0, DIM), dtype=np.float32)
            self._dirty = False
        return self._matrix

    def best_match(self, vector: np.ndarray, published: datetime) -> tuple[OpenStory | None, float]:
        """The story this entry belongs to, if any, and its average similarity."""
        means = self._means()
        if not len(means):
            return None, 0.0
        sims = means @ vector
        for idx in np.argsort(-sims):
            if sims[idx] < self.threshold:
                break
            story = self.stories[idx]
            if abs(published - story.last_seen) <= self.window:
                return story, float(sims[idx])
        return None, float(sims.max())

    def join(self, story: OpenStory, vector: np.ndarray, published: datetime) -> None:
        story.total = story.total + vector
        story.count += 1
        story.last_seen = max(story.last_seen, published)
        self._dirty = True
