"""Names as evidence for topic filing: the rare names a story shares with a topic.

MiniLM puts "ICC prosecutor seeks arrest warrants for Netanyahu and Hamas leaders" at
cosine 0.27 to every view of "Middle East" and "Iranian president Ebrahim Raisi has
died" at 0.33, below what a tuned topic asks (0.31-0.37 on the real feeds), although
"Israel", "Iran" and "Hamas" are in the topic's description or in headlines the user
said belong. A topic's *names* are the rare capitalised words (stories/names.py) of its
name, description and examples; its *counter names* those of its counter-examples that
are not among them. A story gains `[stories] topic_name_weight` per name of the topic
found anywhere in its text and loses `topic_counter_name_weight` per counter name, at
most NAME_CAP of each: one or two names say "this is about them", ten say no more.

Names are matched as whole words by the assigner's PhraseMatcher, in the same pass as
keywords, so a story's phrase hits carry them (stories/topics.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from columnist.config import TopicSettings
from columnist.stories.names import event_names

NAME_CAP = 2  # names counted per side; measured: 1-2 the same, more adds nothing


def names_of(texts: Iterable[str]) -> frozenset[str]:
    """Rare names (not numbers) of the texts, as phrase keys (lowercase words, spaces)."""
    from columnist.stories.topics import phrase_key

    out: set[str] = set()
    for text in texts:
        for name in event_names(text):
            if not name[0].isdigit() and (key := phrase_key(name)):
                out.add(key)
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class TopicNames:
    """The names that speak for a topic (`pro`) and against it (`con`)."""

    pro: frozenset[str]
    con: frozenset[str]

    def with_answers(self, yes: Iterable[str], no: Iterable[str]) -> TopicNames:
        """These names plus those of more headlines that belong / don't."""
        pro = self.pro | names_of(yes)
        return TopicNames(pro, (self.con | names_of(no)) - pro)

    def evidence(self, hits: set[str] | frozenset[str], weight: float, counter: float) -> float:
        """+weight per pro name in `hits`, -counter per con name, NAME_CAP of each."""
        if not hits:
            return 0.0
        pro = min(len(self.pro & hits), NAME_CAP) if weight else 0
        con = min(len(self.con & hits), NAME_CAP) if counter else 0
        return weight * pro - counter * con


def topic_names(topic: TopicSettings) -> TopicNames:
    """A topic's names from its name, description and examples; counter names from its
    counter-examples, less any that also speak for it."""
    base = TopicNames(names_of([topic.name, topic.description]), frozenset())
    return base.with_answers(topic.examples, topic.counter_examples)
