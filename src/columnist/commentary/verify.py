"""Does the sources' text say what a sentence of the column says? Meaning, not only tokens.

The grounding check (grounding.py) finds names and figures the sources lack; a sentence
can use only the sources' names and figures and still say what they don't: a negation,
the wrong actor, an overstatement, a figure moved from one fact to another, a cause the
sources never give, a claim pinned on someone who didn't make it. No licensed NLI model
ships on PyPI, and the writing model as a bare yes/no judge says "yes" to nearly
everything. So the verifier works the way an editor does with a source open:

1. find the passage that should support the sentence (the source sentences sharing the
   most rare words with it);
2. compare the sentence with that passage: its figures and names must be in the
   passage, a negation or a sweeping word ("all", "every", "never") or a causal link
   ("because", "led to") or a speaker's verb ("said", "warned") must be there too;
3. optionally, for a sentence that survives, ask the writing model a yes/no question
   about that passage alone (short, so cheap), under a one-word grammar.

A sentence of pure opinion (a first-person judgement that asserts nothing checkable:
"I think Brussels should have moved sooner") passes; one that mixes a view with a fact
is checked on its fact.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from columnist.commentary.backends.base import Backend
from columnist.commentary.constraints import Constraints
from columnist.commentary.grounding import (
    _MONTHS,
    _WEEKDAYS,
    NUMBER_UNITS,
    STOP_WORDS,
    YEAR,
    Support,
    find_claims,
)
from columnist.commentary.leads import asserted_claim, point_claim
from columnist.commentary.opposites import opposite
from columnist.commentary.spans import invented_span
from columnist.commentary.text import split_sentences

_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+|\d[\d,.]*\d|\d")
_NEGATION_TEXT = (
    "not no never none nobody nothing neither nor without refused refuses rejected rejects "
    "denied denies failed fails against halted cancelled scrapped blocked banned isn't "
    "wasn't aren't weren't doesn't didn't won't can't cannot"
)
NEGATIONS = frozenset(_NEGATION_TEXT.split())
_SWEEPING_TEXT = (
    "all every entire entirely whole completely totally always never only first-ever proves "
    "proved proof guaranteed guarantee certain certainly definitely undoubtedly single "
    "everyone everything nobody forever doubled tripled record biggest largest"
)
SWEEPING = frozenset(_SWEEPING_TEXT.split())
CAUSAL = re.compile(
    r"\b(because|due to|caused|causing|causes|led to|leads to|leading to|thanks to|"
    r"as a result|result of|so that|which means|drove|driven by|blamed? (?:on|for)|"
    r"responsible for|behind|credited)\b",
    re.IGNORECASE,
)
SPEECH = re.compile(
    r"\b(said|says|say|warned|warns|admitted|admits|argued|argues|claimed|claims|told|"
    r"insisted|insists|suggests?|suggested|shows?|showed|found|finds|concluded|"
    r"promised|pledged|announced|blamed(?!\s+for\b)|accused(?!\s+of\b)|called for|wants|"
    r"credited|credits)\b",
    re.IGNORECASE,
)
STANCE = re.compile(
    r"\b(i|i'm|i’m|i've|i’ve|i'd|i’d|my|me)\b.{0,40}?\b(think|thought|believe|doubt|"
    r"wonder|hope|worry|worried|fear|suspect|feel|felt|find|expect|suppose|guess|like|"
    r"welcome|applaud|agree|disagree|struck|glad|sorry|sceptical|skeptical|"
    r"impressed|uneasy|unconvinced|view|mind|reading|take|bet|would|can't help)\b",
    re.IGNORECASE,
)
JUDGEMENT = re.compile(
    r"\b(should|ought|must|deserves?|worth|gamble|mistake|right to|wrong to|"
    r"strikes me|seems to me|to my mind|in my view|i'd rather)\b",
    re.IGNORECASE,
)
# Chosen with `columnist eval-verifier` on tests/data/verifier_eval.jsonl (234 sentences),
# checked on each half of its stories apart (precision 0.80/0.88, recall 0.79/0.86).
UNKNOWN_WEIGHT = 1.0  # a word the sources never use weighs as much as their rarest one
MIN_OVERLAP = 0.6  # share of the sentence's weight its two best passages must cover
SPEAKER_OVERLAP = 0.5  # share of what a speaker is said to say found near their name
OPPOSITE_OVERLAP = 0.4  # a reversal is checked on a looser fit: its key word is the odd one


NO_PASSAGE = "no passage says this"
SPAN_UNGIVEN = "a span of time the news does not give"
# Reasons that say a sentence misstates a passage it rests on (not merely that no passage
# says it): in the writer's own columns 14 of 19 such flags were on sentences that were
# wrong ("17 billion euros" where 1.2 billion were set aside, "voted to cut rates").
MISSTATED = (
    "a voice the sources do not have",
    "the figure belongs to something else",
    "pinned on someone who does not say it",
    "says the opposite of the passage",
    "drops the passage's negation",
    "the wrong doer",  # "shot by a group of supporters": 3 of 3 flags right in ~100 posts
    "doubts a vaccine or medicine",
    SPAN_UNGIVEN,  # commentary/spans.py: 23 of 23 labelled flags right
)
HEDGED = re.compile(
    r"\b(may|might|could|would|perhaps|possibly|likely|should|seems?|i|i'm|i’m|my|me|we|us|"
    r"our|some (?:will |would |may |might )?(?:say|argue|object|think|doubt))\b",
    re.IGNORECASE,
)

# "Some experts worry that the virus may come back" where no source quotes an expert: a
# voice the writer made up to carry a claim (3 of 7 published demo posts at 6696ade). A
# group the sources do have ("economists said") may be cited; "some would say" and
# "critics would argue" put a hypothetical, and pass.
_GROUPS = (
    "expert|critic|analyst|economist|scientist|observer|commentator|official|researcher|"
    "doctor|investor|diplomat|lawmaker|politician|activist|campaigner|historian|specialist|"
    "scholar|academic|sceptic|skeptic|advocate|opponent|supporter|group|environmentalist|"
    "conservationist"
)
VOICE = re.compile(
    rf"\b(?:(?:some|many|most|other|several|few|leading|numerous)\s+(?:\w+\s+)?"
    rf"(?P<quantified>{_GROUPS})s?\b(?!\s+(?:would|might|could|may)\b)"
    rf"|(?P<speaking>{_GROUPS})s\s+(?:have\s+|also\s+)?(?:say|said|argue|argued|warn|warned|"
    rf"worry|worried|fear|believe|suggest|point|note|claim|contend|insist|question|"
    rf"questioned|doubt|doubted)\b"
    r"|\bthere (?:are|have been|is) (?:\w+ )?(?P<held>concern|fear|worr|call)(?:s|ies|y)?\b)",
    re.IGNORECASE,
)


_ALIKE = ({"critic", "opponent", "sceptic", "skeptic"}, {"scientist", "researcher", "academic"})

# A view held by nobody named: "the pier is seen as an attempt to force Israel to
# cooperate", "the government's actions are seen as furthering its anti-EU agenda". Over
# the 1,015 labelled sentences of writer_labels.jsonl and the twisted claims, 7 of the 8
# such sentences on stories whose sources hold no view that way were unsupported. Not
# "could be seen as" nor "will be seen as": a guess of the writer's own.
HELD_VIEW = re.compile(
    r"\b(?:is|are|was|were|has been|have been)\s+(?:widely\s+|generally\s+|often\s+|"
    r"increasingly\s+|largely\s+)?(?P<verb>seen|viewed|regarded|perceived)\s+"
    r"(?:by\s+(?:\w+\s+){1,4}?)?as\b",
    re.IGNORECASE,
)


def invented_voice(sentence: str, source_text: str) -> str | None:
    """The group a sentence has speak or hold a view when the sources quote no such group
    (nor one of its like: "opponents" where the sources have critics)."""
    sources = source_text.lower()
    for match in VOICE.finditer(sentence):
        group = next(g for g in match.groups() if g).lower()
        alike = next((a for a in _ALIKE if group in a), {group})
        if not any(re.search(rf"\b{g}", sources) for g in alike):
            return {"worr": "worries"}.get(group, group + "s")
    if not DISAGREEMENT.search(source_text):
        if ARGUING.search(sentence):
            return "people who argue otherwise"
        arguing = GROUP_ARGUING.search(sentence)
        if arguing:
            return f"{arguing.group('group').lower()}s who argue otherwise"
    named = NAMED_DISSENT.search(sentence)
    if named and not _disagrees_in_sources(named.group("name"), source_text):
        return f"{named.group('name')} disagreeing"
    held = held_view(sentence, source_text)
    if held:
        return f"whoever sees it so (“{held}”)"
    return None


_MODALS = frozenset({"could", "might", "may", "would", "should", "will", "can", "must"})


def held_view(sentence: str, source_text: str) -> str | None:
    """The words of a view the sentence has held by nobody named ("is seen as"), unless the
    sources hold one that way or the writer only guesses it ("could be seen as")."""
    held = HELD_VIEW.search(sentence)
    if held is None:
        return None
    before = sentence[: held.start()].lower().split()[-1:]
    if before and before[0] in _MODALS:
        return None
    return None if _holds_views(held.group("verb"), source_text) else held.group(0)


def _holds_views(verb: str, source_text: str) -> bool:
    """Whether a source has a view held that way ("was seen by many as")."""
    return re.search(rf"\b{verb.lower()}\s+(?:\w+\s+){{0,4}}?as\b", source_text.lower()) is not None


# A group the news has, made to argue where nobody in it disagrees: "some researchers
# argue that they may not necessarily be a problem" (the eagles post, run d of
# verifier_posts.jsonl; the researchers only found the detours). 5 such sentences in 569
# earlier posts, all on stories where nobody in the news disagrees, all invented.
# The verbs the sampler holds off after such a group (`voice_phrases`); the check also
# reads "dispute" and "counter".
_ARGUING_VERBS = ("argue", "contend", "insist", "disagree", "object", "doubt", "question")
GROUP_ARGUING = re.compile(
    rf"\b(?:some|many|most|other|several|few|leading|numerous)\s+(?:\w+\s+)?"
    rf"(?P<group>{_GROUPS})s?\s+(?:have\s+|also\s+|may\s+|might\s+|would\s+|could\s+)?"
    rf"(?:{'|'.join((*_ARGUING_VERBS, 'dispute', 'counter'))})\w*\b",
    re.IGNORECASE,
)


# "I accept that Pat McFadden disagrees with my view" where McFadden only says what wins
# elections (stories 31-40 at 9408e8d): a person in the news made the column's objector.
# "may disagree" puts a hypothetical, and passes.
NAMED_DISSENT = re.compile(
    r"\b(?P<name>(?:[A-Z][\w'’-]+\s+){0,3}[A-Z][\w'’-]+)\s+(?:disagrees|objects|opposes|"
    r"rejects|disputes)\s+(?:with\s+|to\s+)?(?:my|this|that)\s+(?:view|argument|position|"
    r"point|stance|reading)\b"
)


def _disagrees_in_sources(name: str, source_text: str) -> bool:
    """Whether a source sentence naming `name` (by its last word) has anyone disagree."""
    last = name.split()[-1]
    return any(
        re.search(rf"\b{re.escape(last)}\b", line) and DISAGREEMENT.search(line)
        for line in split_sentences(source_text.replace("\n", " "))
    )


# "I accept that some people argue that container volume matters more" where nobody in the
# news sees it otherwise: 3 closings in 3 on such stories in ~100 eval posts (1cb55d2 to
# ed2b8ad). "Some would argue" puts a hypothetical, and passes.
# Held views too: "some people are worried about the human rights implications", "Some
# worried that this might not be enough", "some people are critical of the decision to
# move its embassy" (stories 31-40 at 127af92 and f68b001, where nobody in the news is).
_ARGUING_PHRASES = tuple(
    f"{who} {verb}"
    for who in ("some", "some people", "many", "many people", "others")
    for verb in (
        "argue", "argued", "say", "claim", "believe", "contend", "insist", "think", "worry",
        "fear", "criticize", "criticise", "object", "complain", "doubt", "question",
        "worried", "feared", "doubted", "questioned", "are worried", "are concerned",
        "are sceptical", "are skeptical", "are wary", "are unhappy", "are angry",
        "have concerns", "have doubts", "have questioned", "have criticised",
        "have criticized", "have raised concerns", "are critical", "are upset",
        "are opposed", "are divided", "may be critical", "might be critical",
        # a view held, not argued: "a technique that some people consider offensive"
        # (the Labour pledges post, stories 31-40 at 9408e8d)
        "consider", "view", "see", "regard",
    )
)  # fmt: skip
ARGUING = re.compile(rf"\b(?:{'|'.join(_ARGUING_PHRASES)})\b", re.IGNORECASE)


# Groups whose only part in a column is to carry a view: with none in the sources the
# word itself is blocked ("some health experts"), not only the phrases around it.
# "critics question its effectiveness" in a post on a 40-word item that quotes nobody
# (eval at 1cb55d2, the Dutch asylum post): critics and sceptics only ever carry a view.
_ONLY_VOICES = frozenset(
    {"expert", "analyst", "observer", "commentator", "specialist", "critic", "sceptic",
     "skeptic", "opponent"}
)  # fmt: skip
_QUANTIFIERS = ("some", "many", "most", "several", "leading", "numerous", "other", "few")
_VOICE_VERBS = (
    "say", "said", "argue", "argued", "warn", "warned", "worry", "fear", "believe",
    "suggest", "point", "note", "claim", "contend", "insist", "have", "are", "also",
    "question", "doubt",
)  # fmt: skip


def voice_phrases(source_text: str) -> tuple[str, ...]:
    """What the sampler may not write, so that `invented_voice` has nothing to find: the
    groups no source has, quantified or speaking ("some experts", "critics argue"), and
    "there are concerns" when no source has concerns. Caught only after writing, the
    Marburg closing wrote "I can see the case that some experts worry that" in 5 of 5 tries
    (demo at 2c17652)."""
    sources = source_text.lower()
    calm = not DISAGREEMENT.search(source_text)
    phrases: list[str] = []
    for group in _GROUPS.split("|"):
        alike = next((a for a in _ALIKE if group in a), {group})
        if any(re.search(rf"\b{g}", sources) for g in alike):
            if calm:  # the group is in the news, but nobody there argues (GROUP_ARGUING)
                phrases += [f"{q} {group}s {v}" for q in _QUANTIFIERS for v in _ARGUING_VERBS]
            continue
        plural = group + "s"
        if group in _ONLY_VOICES:
            phrases += [group, plural]
            continue
        phrases += [f"{q} {plural}" for q in _QUANTIFIERS]
        phrases += [f"{plural} {v}" for v in _VOICE_VERBS]
    for stem, one, many in (("concern", "concern", "concerns"), ("fear", "fear", "fears"),
                            ("worr", "worry", "worries")):  # fmt: skip
        if not re.search(rf"\b{stem}", sources):
            phrases += [f"there are {many}", f"there is {one}", f"been {many}", f"growing {many}"]
    if calm:
        phrases += _ARGUING_PHRASES
    for verb in ("seen", "viewed", "regarded", "perceived"):  # HELD_VIEW
        if not _holds_views(verb, sources):
            phrases += [f"{be} {verb} as" for be in ("is", "are", "was", "were", "widely")]
    return tuple(dict.fromkeys(phrases))


# A guessed consequence: "could lead to flooding", "may mean the climate is warmer". Hedged,
# so a "no passage" flag on it would be read as paraphrase; but a consequence no passage
# gives is the commonest unsupported claim in the writer's columns (18 of 23 such
# sentences in tests/data/verifier_eval.jsonl, kind "speculation").
GUESS = "a consequence the news does not mention"
SPECULATION = re.compile(
    r"\b(?:could|may|might|would|will|will likely|(?:is|are) likely to)\s+"
    r"(?:also\s+|potentially\s+|eventually\s+|ultimately\s+|even\s+)?"
    r"(?:lead|result|mean|indicate|cause|trigger|undermine|pose|be due|signal|spark|"
    r"affect|impact|threaten|weaken|disrupt|harm|hurt|"
    r"be (?:attributed|explained|driven|caused|linked|a sign))\b"
    # what might have been, or what might follow: "could have been prevented", "could have
    # saved his life", "could have an impact on the success": 12 of the 14 such sentences
    # no passage covers in tests/data/verifier_posts.jsonl are unsupported
    r"|\b(?:could|may|might|would)\s+(?:also\s+|even\s+|actually\s+)?have\b(?!\s+to\b)",
    re.IGNORECASE,
)
# ... unless put in someone's mouth ("some might argue that his death could have been
# prevented"), which the voice checks judge
_SAID_THAT = re.compile(
    r"\b(?:some|others|many|people|one)\b.{0,30}?\b(?:argue|say|claim|think|believe)s?\b",
    re.IGNORECASE,
)


# ... or asked about: "hard to understand how the crash could have occurred"
_ASKED = re.compile(
    r"\b(?:understand|know|explain|ask|wonder|clear|sure|tell)\s+(?:how|why|whether)\b"
    r"(?:\W+\w+){0,6}\W+$",
    re.IGNORECASE,
)


def guessed(sentence: str) -> bool:
    """A consequence or a might-have-been the sentence guesses at (see SPECULATION)."""
    match = SPECULATION.search(sentence)
    if match is None:
        return False
    before = sentence[: match.start()]
    return "have" not in match.group(0).lower() or not (
        _SAID_THAT.search(before) or _ASKED.search(before)
    )


# Someone in the news who sees it otherwise: the closing's objection (`Passages.dissent`).
_DISAGREE_TEXT = (
    r"warn|caution|criticis|criticiz|critic|oppos|voted against|fight|reject|object|"
    r"concern|worr|fear|doubt|sceptic|skeptic|missed chance|not kept up|loophole|protest|"
    r"complain|challeng|condemn|denounc|accus"
)
DISSENT = re.compile(rf"\b(?:{_DISAGREE_TEXT}|urged|appeal)\w*", re.IGNORECASE)
# Someone who sees it otherwise, not only one who asks for more: "the authors urged ration
# shops to stock it" is no one arguing against the salt substitute (the salt post's "some
# people argue that the high cost ... is an obstacle", demo at e7a2146).
DISAGREEMENT = re.compile(rf"\b(?:{_DISAGREE_TEXT})\w*", re.IGNORECASE)


@dataclass(slots=True)
class Verdict:
    sentence: str
    supported: bool
    reason: str = ""
    passage: str = ""

    @property
    def precise(self) -> bool:
        """Flagged for a reason that is nearly always right: 68 of 73 flags other than
        "no passage says this" were on twisted sentences in tests/data/verifier_eval.jsonl,
        and so were 35 of 38 "no passage" flags on a sentence stated flat out; on a hedged
        or first-person one ("may", "could", "I"), 2 of 14: there it is paraphrase."""
        if self.supported:
            return False
        if self.reason != NO_PASSAGE:
            return True
        # the writer's own frames and leads assert what follows them ("I find it telling
        # that Fico was shot by supporters"): such flags were right 6 times in 6 on its
        # sentences on real outlets' items (tests/data/verifier_eval.jsonl, real-*), so
        # the claim is what is weighed, not the "I" of the frame
        claim = asserted_claim(self.sentence)
        return not HEDGED.search(self.sentence if claim is None else claim)

    def as_dict(self) -> dict:
        return {"sentence": self.sentence, "reason": self.reason, "passage": self.passage}


def _words(text: str) -> list[str]:
    return [_stem(t) for t in _TOKEN.findall(text.lower().replace("’", "'"))]


def _stem(word: str) -> str:
    """A crude stem, so "farms" meets "farm", "approved" meets "approve" and "cutting"
    meets "cut" (Porter's rule: a doubled consonant left by -ing/-ed is one, but for l, s
    and z: "falling" stays "fall")."""
    for end in ("ing", "ed", "es", "s"):
        if len(word) > len(end) + 3 and word.endswith(end):
            stem = word[: -len(end)]
            doubled = end in ("ing", "ed") and stem[-1] == stem[-2] and stem[-1] not in "lsz"
            return stem[:-1] if doubled and stem[-1] not in "aeiou" else stem
    return word


def _content(text: str) -> set[str]:
    return {w for w in _words(text) if w not in STOP_WORDS and len(w) > 2 or w[0].isdigit()}


@dataclass(slots=True)
class Passages:
    """The sources cut into sentences, with word rarity for ranking them."""

    sentences: list[str]
    idf: dict[str, float] = field(default_factory=dict)
    contents: list[set[str]] = field(default_factory=list)  # each sentence's content words

    @property
    def text(self) -> str:
        return "\n".join(self.sentences)

    @classmethod
    def of(cls, source_text: str) -> Passages:
        sentences = [
            s for line in source_text.splitlines() for s in split_sentences(line) if s.strip()
        ]
        contents = [_content(s) for s in sentences]
        counts = Counter(w for c in contents for w in c)
        n = max(1, len(sentences))
        return cls(sentences, {w: math.log(1 + n / c) for w, c in counts.items()}, contents)

    def weights(self, words: set[str]) -> dict[str, float]:
        """Each word's rarity; a word the sources never use weighs as their rarest."""
        unknown = UNKNOWN_WEIGHT * max(self.idf.values(), default=1.0)
        return {w: self.idf.get(w, unknown) for w in words}

    def fits(self, words: set[str]) -> list[float]:
        """How much of the rare weight of `words` each source sentence shares."""
        weight = self.weights(words)
        return [math.fsum(weight[w] for w in words & c) for c in self.contents]

    def best(self, sentence: str, k: int = 2) -> tuple[list[str], float]:
        """The `k` source sentences that share the most rare words with `sentence`, and the
        share of its rare weight they cover together."""
        words = _content(sentence)
        weight = self.weights(words)
        total = math.fsum(weight.values()) or 1.0
        scored = sorted(((score, i) for i, score in enumerate(self.fits(words))), reverse=True)
        chosen = [i for score, i in scored[:k] if score > 0]
        shared = words & set().union(*(self.contents[i] for i in chosen))
        covered = math.fsum(weight[w] for w in shared)
        return [self.sentences[i] for i in chosen], covered / total

    def _novelty(self, i: int, said: set[str]) -> float:
        """The share of sentence `i`'s rare weight that `said` has not said."""
        total = math.fsum(self.idf[w] for w in self.contents[i])
        new = math.fsum(self.idf[w] for w in self.contents[i] - said)
        return new / total if total else 0

    def fresh(self, used: str, k: int = 2, besides: tuple[str, ...] = ()) -> list[str]:
        """The `k` source sentences (of 8 words or more, not in `besides`) most of whose
        rare words `used` has not said: material for a paragraph that must add something."""
        said = _content(used)
        long = [i for i, s in enumerate(self.sentences) if len(s.split()) >= 8 and s not in besides]
        ranked = sorted(long, key=lambda i: (-self._novelty(i, said), i))  # earliest of a tie
        return [self.sentences[i] for i in ranked[:k] if self._novelty(i, said) >= 0.5]

    def dissent(self, used: str) -> str:
        """The source sentence in which someone sees the news otherwise (warns, criticises,
        votes against), least said by `used`; "" when none is new. The closing puts this
        objection, not one the model imagines: asked for "the strongest objection", it
        invented one in 4 of 8 posts the first 10 eval stories published at 8fdfdae
        ("many homeowners are concerned about waiting lists", "environmental activists
        may object") while the sources had scientists' and campaigners' own."""
        said = _content(used)
        ranked = sorted(
            (not s.rstrip().endswith((".", "!", "?", '"', "”")), -self._novelty(i, said), i)
            for i, s in enumerate(self.sentences)
            if DISSENT.search(s) and len(s.split()) >= 6 and self._novelty(i, said) >= 0.5
        )  # a sentence before a headline: "Manufacturers call rate hold a missed chance"
        return self.sentences[ranked[0][2]] if ranked else ""


def is_opinion(sentence: str) -> bool:
    """A first-person judgement with no figure, name or speaker's verb in it."""
    if sentence.rstrip().endswith("?"):
        return True
    if not (STANCE.search(sentence) or JUDGEMENT.search(sentence)):
        return False
    factual = re.search(r"\d", sentence) or SPEECH.search(sentence) or CAUSAL.search(sentence)
    return not factual


_SCALE = {"million", "billion", "thousand", "per", "cent", "percent", "a", "an", "the", "of"}


def _before(tokens: list[str], i: int, n: int = 3) -> list[str]:
    return [t for t in tokens[max(0, i - n) : i] if t not in _SCALE and t not in STOP_WORDS]


def _after(tokens: list[str], i: int, n: int = 3) -> list[str]:
    return [t for t in tokens[i + 1 : i + 1 + n] if t not in _SCALE and t not in STOP_WORDS]


def _moved_figure(sentence: str, source_text: str) -> str | None:
    """A figure the sources use, but of something else: "12 million kroner" where the
    sources have "12 hectares" and "8 million kroner"; "rates at 3.4%" where the rate is
    at 4.5% and inflation at 3.4%."""
    said, source = _words(sentence), _words(source_text)
    known = set(source)
    named = set(re.findall(r"\b[A-Z][\w'’-]*\s+(\d[\d,.]*\d|\d)\b", sentence))
    for i, token in enumerate(said):
        if not token[0].isdigit() or YEAR.fullmatch(token) or token in named:
            continue  # a year is followed by anything; "Power of Siberia 2" is a name
        places = [j for j, t in enumerate(source) if t == token]
        if not places:
            continue
        what = _after(said, i, 2)[:1]
        if what and what[0] in known and not what[0][0].isdigit():
            near = (_after(source, j, 4) + source[max(0, j - 4) : j] for j in places)
            if not any(what[0] in words for words in near):  # "cut gas by 90%" is near
                return f"{token} {what[0]}"
        if i < 2 or said[i - 1] not in ("at", "to", "of", "by"):
            continue  # "rates at 3.4%": the thing the figure is of, and a word joining them
        whose = said[i - 2 : i - 1]
        if whose[0] not in known or whose[0] in STOP_WORDS or whose[0][0].isdigit():
            continue
        other = any(
            t[0].isdigit() and t != token and whose[0] in _before(source, j, 3)
            for j, t in enumerate(source)
        )
        if other and not any(whose[0] in source[max(0, j - 6) : j + 5] for j in places):
            return f"{whose[0]} {token}"
    return None


_NUMBER_WORDS = {w: str(v) for w, v in NUMBER_UNITS.items() if v <= 12}
SWAP_MARGIN = 1.5  # how much better the other sentence must fit the rest of the claim


def _figures(text: str) -> set[str]:
    """Figures in `text`, number words one to twelve as digits."""
    return {
        _NUMBER_WORDS.get(t, t)
        for t in _TOKEN.findall(text.lower())
        if t[0].isdigit() or t in _NUMBER_WORDS and t != "one"
    }


_CLAUSE = re.compile(r"(?<!\d),|,(?!\d)|[;:—]|\b(?:and|but|while|whereas|which|after|before|so)\b")


_AMOUNT_OF_YEAR = re.compile(
    r"\b(?:fell|falls?|falling|rose|rises?|rising|slowed|slows?|dropped|drops?|climbed|"
    r"climbs?|increased|decreased|grew|grows?|jumped|jumps?|edged|eased|declined|surged|"
    r"reached|hit|stood|stands?)\s+(?:up |down |back )?(?:to|at|by)?\s*"
    r"((?:19|20)\d\d)\b(?![%.,]?\d)",
    re.IGNORECASE,
)


def _year_as_amount(sentence: str, source_text: str) -> str | None:
    """A year written where an amount goes: "inflation fell to 2020, the lowest since
    2020", where it fell to 2.2% (the Argentina post, eval at 42ba561, twice)."""
    for match in _AMOUNT_OF_YEAR.finditer(sentence):
        year = match.group(1)
        if not re.search(rf"\b(?:to|at|by|rose|fell|reached|hit)\s+{year}\b", source_text):
            return year
    return None


_UNIT_FAMILIES = (
    ("second", "minute", "hour", "day", "week", "month", "year", "decade", "century"),
    ("metre", "meter", "kilometre", "kilometer", "km", "mile", "foot"),
    ("hectare", "acre"),
    ("tonne", "ton", "kilogram", "kg", "gram"),
)
_IRREGULAR = {"century": "centuries", "foot": "feet"}
_UNIT = {  # a unit as written -> (its kind, the unit)
    form: (kind, unit)
    for kind, family in enumerate(_UNIT_FAMILIES)
    for unit in family
    for form in (unit, unit + "s", _IRREGULAR.get(unit, unit))
}
_COUNT = re.compile(r"\b(\d[\d,.]*\d|\d|" + "|".join(_NUMBER_WORDS) + r")[\s-]+([a-z]+)\b")


def _counts(text: str) -> dict[tuple[str, int, str], str]:
    """Figures with a unit: "three weeks" and "3-week" -> ("3", time, "week"), as written."""
    found = {}
    for figure, form in _COUNT.findall(text.lower()):
        if form in _UNIT:
            kind, unit = _UNIT[form]
            found[(_NUMBER_WORDS.get(figure, figure), kind, unit)] = f"{figure} {form}"
    return found


_FIGURE_AT = re.compile(r"(?<![\w.,])(\d+(?:,\d{3})*(?:\.\d+)?)(?![\d,.]\d)")
_MEASURED = re.compile(r"\s?(?:%|per ?cent|percent|million|billion|trillion|bn\b|m\b)", re.I)


def _measured(text: str) -> dict[str, list[bool]]:
    """Each figure -> for each place it is written, whether a share or scale follows it."""
    places: dict[str, list[bool]] = defaultdict(list)
    for m in _FIGURE_AT.finditer(text):
        places[m.group(1)].append(bool(_MEASURED.match(text, m.end())))
    return places


def _bare_figure(sentence: str, source_text: str) -> str | None:
    """A figure written bare that the sources only ever give as a share or an amount: "a
    new terminal costing 4." where it costs 1.5 billion euros and 4% is the fall in
    containers (eval after 8fdfdae)."""
    theirs = _measured(source_text)
    for figure, measured in _measured(sentence).items():
        if YEAR.fullmatch(figure) or figure not in theirs:
            continue
        if not all(measured) and all(theirs[figure]):
            return figure
    return None


def _wrong_count(sentence: str, source_text: str) -> str | None:
    """A count the sources give otherwise: the same figure in another unit of its kind
    ("peaked three months earlier" where the river peaked three weeks earlier, the
    Hardanger post, eval at 8fdfdae), else another figure in the same unit ("reduced
    strokes by 12% over three years" where the trial ran four, the salt post, demo at
    e7a2146; small numbers in words pass the figure check, so they are compared here). A
    count the sources also give in that unit is no error."""
    known = _counts(source_text)
    told = [(c, w) for c, w in sorted(_counts(sentence).items()) if c not in known]
    for (figure, kind, _), written in told:
        if any(f == figure and k == kind for f, k, _ in known):
            return written
    for (figure, kind, unit), written in told:
        if any(k == kind and u == unit and f != figure for f, k, u in known):
            return written
    return None


_MAGNITUDE_TERMS = (
    "dozens",
    "hundreds",
    "thousands",
    "tens of thousands",
    "hundreds of thousands",
    "millions",
    "billions",
)
_MAGNITUDE = re.compile(
    rf"\b({'|'.join(_MAGNITUDE_TERMS)})\s+(?:of\s+)?(?:[a-z]+\s+){{0,2}}?([a-z]{{3,}})",
    re.IGNORECASE,
)


def _magnitudes(text: str) -> dict[str, set[str]]:
    """The magnitude words a text gives, by each word in the two after them."""
    found: dict[str, set[str]] = {}
    for match in _MAGNITUDE.finditer(text):
        words = _words(text[match.end(1) : match.end()])
        for word in words:
            found.setdefault(word, set()).add(match.group(1).lower())
    return found


# The term alone, the longest first: "hundreds of thousands" is not "hundreds".
_MAGNITUDE_WORD = re.compile(
    rf"\b({'|'.join(sorted(_MAGNITUDE_TERMS, key=len, reverse=True))})\b", re.IGNORECASE
)
# Words too common to tie a magnitude to its thing ("thousands of people").
_VAGUE = {"people", "more", "than", "many", "other", "some", "across", "there", "those"}


def _magnitudes_near(text: str, reach: int) -> dict[str, set[str]]:
    """The magnitude words a text gives, by each content word in the `reach` after them."""
    found: dict[str, set[str]] = {}
    for match in _MAGNITUDE_WORD.finditer(text):
        for word in _words(text[match.end() : match.end() + 120])[:reach]:
            if word not in STOP_WORDS and word not in _VAGUE and len(word) > 3:
                found.setdefault(word, set()).add(match.group(1).lower())
    return found


def _wrong_magnitude(sentence: str, source_text: str) -> str | None:
    """A magnitude word the sources give otherwise for the same thing: "thousands of
    Australian and New Zealand tourists" where the news has hundreds (stories 31-40 at
    127af92). Further apart ("thousands of people stranded there", against "hundreds of
    Australian and New Zealand tourists stranded"), only a magnitude the sources never
    use: over 507 earlier posts, three more sentences, all such."""
    if not _MAGNITUDE_WORD.search(sentence):  # most sentences: the sources need not be read
        return None
    known = _magnitudes(source_text)
    for word, told in sorted(_magnitudes(sentence).items()):
        if word in STOP_WORDS or word not in known:
            continue
        if not told & known[word]:
            return f"{min(told)} {word}"
    used = {m.group(1).lower() for m in _MAGNITUDE_WORD.finditer(source_text)}
    far = _magnitudes_near(source_text, 8)
    for word, told in sorted(_magnitudes_near(sentence, 4).items()):
        if word in far and not told & far[word] and not told & used:
            return f"{min(told)} {word}"
    return None


_QUALIFIER = (
    r"(?:about |around |nearly |almost |roughly |some |over |up to |more than |less than )?"
)
_CHANGE = re.compile(rf"\b(by|to)\s+{_QUALIFIER}(\$?\d[\d,.]*\d|\$?\d)(?![\d,.]*\d)", re.I)


def _turned_change(sentence: str, source_text: str) -> str | None:
    """A change by a figure that the news gives as the level it reaches, or the other way
    round: "raise grain shipments to China by 8 million tonnes a year" where they are to
    rise to 8 million (the demo's Harbin post), "increase adaptation finance by $120
    billion" where it triples to $120 billion: over 429 earlier posts, these two and nothing
    else. "By up to 155 miles" is "by"; a year ("by 2030") is a date, not a change."""
    for match in _CHANGE.finditer(sentence):
        prep, figure = match.group(1).lower(), match.group(2)
        if YEAR.fullmatch(figure.lstrip("$")):
            continue
        before = re.findall(rf"\b(\w+)\s+{_QUALIFIER}{re.escape(figure)}(?![\d,.]*\d)", source_text)
        theirs = {w.lower() for w in before}
        other = "to" if prep == "by" else "by"
        if other in theirs and prep not in theirs:
            return f"{prep} {figure}"
    return None


def _doubled_figure(sentence: str, passages: Passages) -> str | None:
    """A figure written twice in a sentence where no source sentence has it twice: one of
    the two took another figure's place ("prices rose 2020, the lowest monthly figure since
    2020" where they rose 2.2%)."""
    counts = Counter(t for t in _TOKEN.findall(sentence) if t[:1].isdigit())
    for figure, n in sorted(counts.items()):
        if n > 1 and not any(
            Counter(_TOKEN.findall(s))[figure] > 1 for s in passages.sentences if figure in s
        ):
            return figure
    return None


def _swapped_figure(sentence: str, passages: Passages) -> str | None:
    """A figure the sources give for another fact than the one the sentence attaches it
    to: the source sentence that best fits the rest of its clause has a different figure
    ("inflation rose to 4.1%" where inflation rose to 3.4% and food prices 4.1%)."""
    for clause in _CLAUSE.split(sentence):
        figures = _figures(clause)
        words = _content(" ".join(t for t in _TOKEN.findall(clause) if not _figures(t)))
        if not figures or len(words) < 3:
            continue
        scored = sorted(zip(passages.fits(words), passages.sentences, strict=True), reverse=True)
        top_score, top = scored[0] if scored else (0.0, "")
        top_figures = _figures(top)
        if top_score <= 0 or not top_figures:
            continue
        if len(figures) > 1 and any(figures <= _figures(s) for s in passages.sentences):
            continue  # told together, as a source tells them: "a goal of cutting emissions
            # by 90% by 2040" best fits the headline "... EU 2040 goal" (eval at 8fdfdae)
        elsewhere = figures - top_figures
        for figure in sorted(elsewhere):
            holders = [(score, _figures(s)) for score, s in scored if figure in _figures(s)]
            if any(len(elsewhere & held) > 1 for _, held in holders):
                continue  # "from $40 billion in 2024 to $120 billion": two facts joined
            if holders and top_score > SWAP_MARGIN * max(score for score, _ in holders):
                return figure
    return None


_NAME_PHRASE = re.compile(r"[A-Z][\w'’.-]*(?:\s+(?:of\s+|de\s+)?[A-Z][\w'’.-]*)*")
_DATES = frozenset(_MONTHS + _WEEKDAYS)  # capitalised, but nobody: "since June 2025 suggests"
_LEADING = {"even", "only", "now", "then", "so", "still", "also", "the", "mayor", "president"}


# What follows a name that acts: a verb ("pledged", "wants", "has", "will"), or an
# apposition or clause before one (", Tonga's negotiator,", "who").
_ACTS = re.compile(
    r"\s*(?:[,(—]|$|(?:has|have|had|is|was|are|were|will|would|can|could|may|might|must|"
    r"should|shall|does|did|do|also|now|then|still|again|who|which|and|not|never|just|"
    r"already|only|said|told|made|took|gave|set|led|put|got|won|lost|left|kept|sent|went|"
    r"met|paid|spent|cut|held|sold|saw|came|became|began|wrote|rose|fell|ran|chose|"
    r"brought|bought|thought|built|struck|drew|sought|fought|spoke)\b|[a-z]+(?:ed|s)\b)"
)


def _wrong_actor(sentence: str, passages: Passages) -> str | None:
    """A clause that opens on a name, where the source sentence that best fits the rest of
    it (or the one before, for "he said") names someone else and not this one: "Soipan
    Tuya has pledged to grow 15 billion trees" where Ruto pledged them."""
    for clause in _CLAUSE.split(sentence):
        words = clause.split()
        while words and words[0].lower() in _LEADING:
            words = words[1:]
        match = _NAME_PHRASE.match(" ".join(words))
        name = match.group(0) if match else ""
        if (
            not name
            or name.split()[0].lower() in STOP_WORDS
            or name.split()[0] in _DATES
            or re.search(r"['’]s$", name)
        ):
            continue  # "I", "An internal review", "Martinelli's arithmetic": no actor
        after = " ".join(words)[match.end() :]
        if not _ACTS.match(after):
            continue  # "the Commons vote on the bill is a step": a name as a noun's modifier
        rest = _content(after)
        if len(rest) < 4 or not any(name in s for s in passages.sentences):
            continue
        fits = passages.fits(rest)
        score = max(fits)
        tied = [i for i, fit in enumerate(fits) if fit == score]  # any of them may be meant
        if score <= 0 or any(
            name in " ".join(passages.sentences[max(0, i - 1) : i + 1]) for i in tied
        ):
            continue
        i = tied[-1]
        others = {m.group(0) for m in _NAME_PHRASE.finditer(passages.sentences[i])} - {
            m.group(0) for m in _NAME_PHRASE.finditer(sentence)
        }
        if any(len(o) > 3 for o in others):
            return name
    return None


# "Fico was shot by a small group of supporters" where he was shot *as he met* them
# (eval at 1cb55d2, in two of three runs): a passive's agent that no source has doing it.
_BY_AGENT = re.compile(
    r"\b(?P<verb>shot|attacked|killed|arrested|detained|fired|charged|sentenced|fined|sued|"
    r"elected|appointed|chosen|approved|rejected|signed|ordered|built|developed|made|funded|"
    r"paid|bought|sold|owned|run|won|hit|struck|injured|banned|blocked|launched|backed|"
    r"supported|opposed|criticised|criticized|condemned|blamed|welcomed|praised|held|led|"
    r"founded|hired|sacked|seized|captured|rescued|negotiated|brokered|drafted|proposed)"
    r"\s+(?:(?!\w+(?:ed|en)\b)[\w'’]+\s+){0,3}?by\s+(?P<agent>(?:(?!after\b|before\b|"
    r"in\b|on\b|at\b|when\b|as\b|while\b|for\b|with\b|during\b|and\b|but\b|who\b|"
    r"which\b|that\b|by\b)[\w'’-]+\s*){1,5})",
    re.IGNORECASE,
)  # doing verbs only: "estimated by", "caused by" are reports and causes, not doers


_MEASURE = re.compile(
    r"(?:\S*\d|(?:a|an|one)\s+(?:quarter|third|half|fifth|tenth|fraction|lot|bit|little)\b|"
    r"(?:about|around|nearly|almost|more|less|over|under|roughly|some|up|far|much|half|"
    r"twice|double|only|just|at least|at most|a further|another)\b)",
    re.IGNORECASE,
)


def _wrong_agent(sentence: str, passages: Passages) -> str | None:
    """A "done by X" whose X no source sentence has doing it: the verb is in the sources,
    and so is X, but never with X as its doer (before the verb, or after "by")."""
    for match in _BY_AGENT.finditer(sentence):
        verb = _stem(match.group("verb").lower())
        agent = _content(match.group("agent"))
        if not agent or verb in STOP_WORDS or _MEASURE.match(match.group("agent")):
            continue  # "fell by a quarter", "cut deaths by about 13%": an amount
        doing = [s for s in passages.sentences if verb in _words(s)]
        if not doing:
            continue  # the news words it otherwise: nothing to compare with
        for source in doing:
            words = _words(source)
            at = words.index(verb)
            before = set(words[:at])
            after_by = set(words[at + 1 : at + 8]) if "by" in words[at + 1 : at + 3] else set()
            if agent <= before or agent <= after_by:
                break
        else:
            if any(agent <= set(_words(s)) for s in passages.sentences):
                return match.group("agent").strip()
    return None


# Verbs whose doer and receiver a writer can swap with the sources' own words: "they
# blamed senior figures from the ruling coalition" where those figures blamed the media
# (the Fico post, stories 31-40 at e497bc0); "private developers will support them" where
# Labour will support private developers (the new towns post). Compared as crude lemmas.
_ROLE_VERBS = frozenset(
    {
        "blam",
        "accus",
        "support",
        "attack",
        "criticis",
        "criticiz",
        "condemn",
        "prais",
        "fund",
        "sanction",
        "su",
        "arrest",
        "defeat",
        "invad",
        "threaten",
        "thank",
        "reject",
        "endors",
        "oppos",
        "target",
        "sack",
    }
)
_PASSIVE = {"is", "are", "was", "were", "be", "been", "being", "get", "got"}


def _lemma(token: str) -> str:
    return _stem(token).rstrip("e")


def _roles(tokens: list[str], at: int) -> tuple[set[str], set[str]]:
    """Content words just before a verb (its doer) and just after it (its receiver)."""
    return _content(" ".join(tokens[max(0, at - 8) : at])), _content(
        " ".join(tokens[at + 1 : at + 7])
    )


def _swapped_roles(claim: str, passages: Passages) -> str | None:
    """A doer the sources have only receiving the act, or a receiver they have only doing
    it: the words on each side of the verb, turned round."""
    tokens = _TOKEN.findall(claim.lower().replace("’", "'"))
    for j, token in enumerate(tokens):
        verb = _lemma(token)
        if verb not in _ROLE_VERBS or (j and tokens[j - 1] in _PASSIVE):
            continue
        if "by" in tokens[j + 1 : j + 4]:
            continue  # a passive: "was backed by X"
        # each side with two content words at least ("them", "it": nobody to compare),
        # the words shown, and which of the sources' sides it must not be on
        sides = [
            (words, shown, wrong)
            for words, shown, wrong in (
                (_content(" ".join(tokens[j + 1 : j + 5])), tokens[j : j + 5], 0),
                (_content(" ".join(tokens[max(0, j - 3) : j])), tokens[max(0, j - 3) : j + 1], 1),
            )
            if len(words) >= 2
        ]
        if not sides:
            continue
        theirs = [
            _roles(words, k)
            for words in (_TOKEN.findall(s.lower().replace("’", "'")) for s in passages.sentences)
            for k, w in enumerate(words)
            if _lemma(w) == verb
        ]  # (doer, receiver) of each time the sources use the verb
        for words, shown, wrong in sides:
            if any(words <= side[wrong] for side in theirs) and not any(
                words <= side[1 - wrong] for side in theirs
            ):
                return " ".join(shown)
    return None


_NOT_SPEAKERS = re.compile(
    r"\b(?:some|others|critics|many|people|i|we|you|this|that|these|it|which|what|news)\b"
    r"(?:\s+\w+){0,2}\s*$|"
    r"\b(?:if|whether|unless)(?:\s+\w+){0,2}\s*$",  # "if Kenya wants to": a condition
    re.IGNORECASE,
)


# A name after one of these is where, when or whose, not who: "consumers in Rosario
# suggests", "the decision by the Monetary Policy Committee shows" (eval at 01fde94).
_PLACING = (
    "in|at|from|since|near|across|around|outside|inside|throughout|into|by|of|for|with|on|"
    "about|over|against"
)


# "Lakeshore Media's stance that learning from public texts is lawful": a view given to a
# name with no speaker's verb, and given to the wrong side (Parallax, the AI company the
# newspaper group sued, said so; the AI ruling post, demo at 7b1ef8d, three times).
_HELD_VIEW = re.compile(
    r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}['’]s\s+(?:own\s+)?(?:stance|position|view|"
    r"claim|argument|statement|belief|case)\s+that\b"
)


def _speakers(sentence: str) -> set[str]:
    """Names that do the saying: in the few words before a speaker's verb ("Andreassen
    warned"), or right after it ("said Khan"), or whose stance or view a sentence gives
    ("Lakeshore's position that"). "This shows that the EU ..." and "some would say that
    VW ..." pin nothing on the EU or VW."""
    names = {
        w
        for m in _HELD_VIEW.finditer(sentence)
        for w in re.split(r"['’]", m.group(0))[0].split()
        if w.lower() not in STOP_WORDS  # "The" of "The WHO's view that"
    }
    for verb in SPEECH.finditer(sentence):
        before = sentence[: verb.start()]
        subject = " ".join(before.split()[-6:])
        if _NOT_SPEAKERS.search(subject):
            continue
        after = sentence[verb.end() :].split()[:2]
        placed = re.findall(rf"\b(?:{_PLACING})\s+([A-Z][\w'’-]+)", subject, re.IGNORECASE)
        for word in re.findall(r"\b[A-Z][\w'’-]+", subject) + [
            w.strip(",.;") for w in after if w[:1].isupper()
        ]:
            ordinary = word.lower() in STOP_WORDS and not (word.isupper() and len(word) > 1)
            if not ordinary and word not in _DATES and word not in placed:  # "WHO" is a name
                names.add(re.sub(r"['’]s$", "", word))
    return names


def _pinned(sentence: str, passages: Passages) -> str | None:
    """A speaker's verb with a name from the sources, where nothing near that name says
    what the sentence has them say ("Andreassen warned that the glacier will be gone")."""
    speakers = _speakers(sentence)
    if not speakers:
        return None
    for name in sorted(speakers):
        near: list[str] = []
        for i, source in enumerate(passages.sentences):
            if re.search(rf"\b{re.escape(name)}\b", source):
                near.append(source)
                after = passages.sentences[i + 1 : i + 2]
                if after and re.match(r"[\"“‘']|(?:He|She|They|It|His|Her|Their)\b", after[0]):
                    near += after  # "He said ...": still the name's words
        if not near:
            continue
        claim = (
            _content(sentence)
            - _content(name)
            - {_stem(m.lower()) for m in SPEECH.findall(sentence)}
        )
        if len(claim) < 3:
            continue
        covered = claim & set().union(*map(_content, near))
        if len(covered) / len(claim) < SPEAKER_OVERLAP:
            whole = re.search(
                rf"(?:[A-Z][\w'’-]+\s+)*{re.escape(name)}(?:\s+[A-Z][\w'’-]+)*", sentence
            )  # the name as the sentence writes it: "Soipan Tuya", not "Soipan"
            words = re.sub(r"['’]s$", "", whole.group(0)).split() if whole else [name]
            while len(words) > 1 and words[0] in ("The", "A", "An", "This", "That"):
                words.pop(0)  # "The WHO" at a sentence's start
            return " ".join(words)
    return None


def _missing(words: set[str], passage: str) -> set[str]:
    present = set(_words(passage))
    return {w for w in words if w not in present}


# "What persuades me is that the Ifo index rose": the writer's frame around a claim. The
# claim is checked as if stated flat out; a frame that keeps the claim at a distance
# ("some would say that", "I doubt that", "I wonder whether") asserts nothing.
_FRAME = re.compile(
    r"^(?P<frame>[^.;:?!]{0,60}?\b(?:I|me|my|I'm|I’m)\b[^.;:?!]{0,50}?)\b(?:that|how)\s+"
    r"(?P<claim>\S.*)$"
)
_DISTANCED = re.compile(
    r"\b(?:some|others|critics|case|doubt|hope|wonder|fear|worr(?:y|ied)|whether|if|would|"
    r"could|might|wish|question|expect|not|n't)\b",
    re.IGNORECASE,
)


def claim_of(sentence: str) -> str | None:
    """The claim a first-person frame asserts ("I am struck that X" -> X), or None."""
    match = _FRAME.match(sentence.strip())
    if not match or _DISTANCED.search(match.group("frame")):
        return None
    return match.group("claim")


def _misplaced_figure(text: str, passages: Passages) -> str | None:
    """A figure that belongs to another fact, whoever states it: in another unit, bare where
    the sources give a share, swapped, doubled, a year where an amount goes, or a change
    "by" it where the news has the level it goes "to"."""
    return (
        _wrong_count(text, passages.text)
        or _bare_figure(text, passages.text)
        or _swapped_figure(text, passages)
        or _doubled_figure(text, passages)
        or _year_as_amount(text, passages.text)
        or _wrong_magnitude(text, passages.text)
        or _turned_change(text, passages.text)
    )


# "I think they could save lives because they are cheaper than regular salt": the view is
# the writer's, the reason is stated as fact (the salt post, demo at 87abc2b, where the
# substitute costs 20 rupees more a kilogram). A reason put in another's mouth ("some would
# say it is concerning because") or a condition ("because if ...") asserts nothing.
_BECAUSE = re.compile(r"\bbecause\s+(?!of\b|if\b|when\b|unless\b)", re.IGNORECASE)
_OTHERS_VIEW = re.compile(
    r"\b(?:some|others|critics|sceptics|skeptics|opponents|why|whether|if)\b", re.IGNORECASE
)
# ... unless the reason is itself a judgement: "a dangerous move because it undermines
# international cooperation" (a labelled opinion in tests/data/verifier_eval.jsonl)
_JUDGING = re.compile(
    r"\b(?:undermin|threaten|weaken|strengthen|erod|hurt|harm|damag|help|benefit|matter|"
    r"signal|send|reward|punish|betray|sets? a precedent)\w*",
    re.IGNORECASE,
)
REASON_UNGIVEN = "a reason the sources do not give"
# A view that is a judgement ("this could be concerning because ..."): its "because" links
# the writer's reasoning, not a cause in the news, so the reason is what is checked. A view
# that retells the news ("morale fell because ...") asserts the cause (the Ifo post's "due to
# increased optimism").
_JUDGED = re.compile(
    r"\b(?:could|might|may|would|should|must|concern|worr|troubl|alarm|encourag|welcome|"
    r"good|bad|right|wrong|enough|important|significant|matters?|worth|mistake|danger|"
    r"risk|wise|sensible|fair|unfair|impressive|promising|disappoint|necessary|vital|"
    r"crucial|step)\w*",
    re.IGNORECASE,
)


def judged_reason(sentence: str) -> str | None:
    """The reason a judgement gives for itself ("could be concerning because costs are 30%
    higher"), whose "because" is the writer's and not the news's."""
    return _reason(sentence, _JUDGED)


def given_reason(sentence: str) -> str | None:
    """The reason a first-person or hedged view gives for itself, as a sentence, or None."""
    return _reason(sentence, HEDGED)


def _reason(sentence: str, view_test: re.Pattern) -> str | None:
    match = _BECAUSE.search(sentence)
    if not match:
        return None
    view, reason = sentence[: match.start()], sentence[match.end() :]
    if not view_test.search(view) or _OTHERS_VIEW.search(view) or len(reason.split()) < 4:
        return None
    if _JUDGING.match(" ".join(reason.split()[1:3])):  # "it undermines ..."
        return None
    return reason[0].upper() + reason[1:]


def rule_verdict(sentence: str, passages: Passages, support: Support) -> Verdict:
    """The editor's comparison of a sentence with the passage that should support it; a
    view that passes is checked again on the reason it gives as fact."""
    verdict = _sentence_verdict(sentence, passages, support)
    reason = None if verdict.precise else given_reason(sentence)
    if reason is None:
        return verdict
    inner = _sentence_verdict(reason, passages, support)
    if not inner.precise:
        return verdict
    why = f"{REASON_UNGIVEN}: {reason}" if inner.reason == NO_PASSAGE else inner.reason
    return Verdict(sentence, False, why, inner.passage)


# A doubt about a vaccine's or a medicine's safety or working that no source has: "The fact
# that the uptake has fallen so sharply suggests that there may be an issue with the
# vaccine", "some people may feel that the vaccine ... could have caused more damage than
# good" (the measles post, demo at 7b1ef8d, where the news only counts the doses missing).
# Hedged or in the first person, it passed as opinion; no made-up claim does more harm.
_REMEDY = r"(?:vaccin\w*|jabs?|immuni[sz]ations?|MMR|medicines?|drugs?|treatments?)"
HEALTH_DOUBT = re.compile(
    rf"\b(?:issues?|problems?|concerns?|doubts?|something wrong)\s+(?:with|about|over)\s+"
    rf"(?:the\s+|this\s+|a\s+|its\s+|their\s+)?(?:[\w-]+\s+){{0,2}}?{_REMEDY}\b"
    rf"|\b{_REMEDY}\b(?:\s+[\w'’-]+){{0,6}}?\s+(?:(?:is|are|was|were|may be|might be|could be|"
    rf"can be)\s+(?:unsafe|dangerous|harmful|ineffective|unnecessary|not safe|not effective|"
    rf"not needed)\b|"
    rf"(?:did|does|do|may|might|could|would)\s+(?:not|n't)\s+work\b|"
    rf"(?:caused?|causing|do|does|did|done)\s+more\s+(?:harm|damage)\b|"
    rf"side[- ]effects?\b)",
    re.IGNORECASE,
)


# A vaccine or medicine blamed for the illness it prevents: "the government is still
# allowing children to get vaccines, which could be contributing to the rising measles
# cases" (the measles post, demo at ed9f438, published). Not the uptake falling: "the drop
# in vaccinations is driving the outbreak" is the news.
_BLAMED = re.compile(
    rf"(?<!\bin )(?<!\bof )\b{_REMEDY}(?!\s+(?:uptake|rates?|coverage|levels?|gaps?|"
    rf"programmes?|programs?|campaigns?))\b[^.;]{{0,30}}?\b(?:contribut\w*|caus\w*|fuel\w*|"
    rf"driv\w*|behind|to blame|spread\w*|lead\w* to)\b[^.;]{{0,30}}?\b(?:cases|outbreaks?|"
    rf"infections?|illness|disease|deaths)\b",
    re.IGNORECASE,
)
_FEWER = re.compile(
    r"\b(?:fall|falling|fell|drop|dropping|decline|declining|low|lower|lack|fewer|missed|"
    r"missing|slip|slipping|poor|gaps?|without|not|hesitan\w*|refus\w*)\b[^.;]{0,25}$",
    re.IGNORECASE,
)


def health_doubt(sentence: str, source_text: str) -> str | None:
    """The words of a doubt about a vaccine or medicine, when no source doubts one."""
    if HEALTH_DOUBT.search(source_text):
        return None
    found = HEALTH_DOUBT.search(sentence)
    if found is not None:
        return found.group(0)
    for blamed in _BLAMED.finditer(sentence):
        if not _FEWER.search(sentence[: blamed.start()]):
            return blamed.group(0)
    return None


def _sentence_verdict(sentence: str, passages: Passages, support: Support) -> Verdict:
    """The editor's comparison of a sentence with the passage that should support it."""
    doubt = health_doubt(sentence, passages.text)
    if doubt:  # whoever voices it, hedged or not
        return Verdict(sentence, False, f"doubts a vaccine or medicine the news does not: {doubt}")
    voice = invented_voice(sentence, passages.text)
    if voice:  # before the opinion test: "I grant that some experts argue" asserts them
        return Verdict(sentence, False, f"a voice the sources do not have: {voice}")
    # "I would also point out that X" asserts X, though its "would" reads as distance; a
    # frame's own test stays claim_of's ("I did not expect the council to choose books
    # over asphalt" is the writer's surprise, not a claim about asphalt)
    framed = claim_of(sentence) or point_claim(sentence)
    if is_opinion(framed or sentence):
        # a figure is wrong whoever says it
        moved = _misplaced_figure(sentence, passages)
        if moved:
            why = f"the figure belongs to something else: {moved}"
            return Verdict(sentence, False, why, " ".join(passages.best(sentence)[0]))
        span = invented_span(sentence, passages.text)
        if span:  # "unfair to hold them for years" asserts the years
            why = f"{SPAN_UNGIVEN}: {span}"
            return Verdict(sentence, False, why, " ".join(passages.best(sentence)[0]))
        return Verdict(sentence, True, "opinion")
    claims = find_claims(sentence, support)
    if claims:
        return Verdict(sentence, False, f"not in the sources: {claims[0].text}")
    claim = framed or sentence  # what is checked against the passages
    best, covered = passages.best(claim)
    passage = " ".join(best)
    pinned = _pinned(claim, passages) or _wrong_actor(claim, passages)
    agent = None if pinned else _wrong_agent(claim, passages) or _swapped_roles(claim, passages)
    if agent:
        return Verdict(sentence, False, f"the wrong doer: {agent}", passage)
    if pinned:
        return Verdict(sentence, False, f"pinned on someone who does not say it: {pinned}", passage)
    moved = _moved_figure(claim, passages.text) or _misplaced_figure(claim, passages)
    if moved:
        return Verdict(sentence, False, f"the figure belongs to something else: {moved}", passage)
    span = invented_span(claim, passages.text)
    if span:
        return Verdict(sentence, False, f"{SPAN_UNGIVEN}: {span}", passage)
    reversed_ = opposite(claim, best[0]) if best and covered >= OPPOSITE_OVERLAP else None
    reversed_ = (
        reversed_ or _opposite_clause(claim, passages) or _opposite_elsewhere(claim, passages)
    )
    if reversed_:  # one sentence: a passage of two mixes facts
        return Verdict(sentence, False, f"says the opposite of the passage: {reversed_}", passage)
    if not best or covered < MIN_OVERLAP:
        reason = GUESS if guessed(sentence) else NO_PASSAGE
        return Verdict(sentence, False, reason, passage)
    said = set(_words(claim))
    figures = {w for w in said if w[0].isdigit()}
    if _missing(figures, passage):
        return Verdict(
            sentence,
            False,
            f"the figure is not in that passage: {sorted(_missing(figures, passage))[0]}",
            passage,
        )
    # Measured on tests/data/verifier_eval.jsonl: a name missing from the passage, or a
    # negation the passage lacks, flagged as many true sentences as twisted ones; a
    # sweeping word, a figure, a cause or a dropped negation flag mostly twisted ones.
    sweeping = (said & SWEEPING) - set(_words(passage))
    if sweeping:
        why = f"a sweeping word the passage lacks: {sorted(sweeping)[0]}"
        return Verdict(sentence, False, why, passage)
    lacks_negation = _negations_about(best[0], claim) - said
    denies = said & NEGATIONS or re.search(r"n['’]t\b|\boppos", claim, re.IGNORECASE)
    if lacks_negation and not denies:
        return Verdict(
            sentence, False, f"drops the passage's negation: {sorted(lacks_negation)[0]}", passage
        )
    if CAUSAL.search(claim) and not CAUSAL.search(passage) and not judged_reason(claim):
        return Verdict(sentence, False, "a cause the passage does not give", passage)
    return Verdict(sentence, True, "", passage)


_PARTS = re.compile(r"[,;:—“”\"]")


def _opposite_clause(claim: str, passages: Passages) -> str | None:
    """A clause that turns round the source sentence it best fits, where the sentence as a
    whole fits another: "The substitute is cheaper than regular salt, and it cut strokes by
    12%" (it costs 20 rupees more a kilogram; the salt post, demo at e7a2146)."""
    clauses = [c for c in _CLAUSE.split(claim) if c and len(_content(c)) >= 3]
    if len(clauses) < 2:
        return None
    for clause in clauses:
        best, covered = passages.best(clause)
        if best and covered >= OPPOSITE_OVERLAP:
            found = opposite(clause, best[0])
            if found:
                return found
    return None


# Content words a sentence shares with a source sentence it turns round: "German business
# morale is falling because of increased optimism" shares two with the lede (demo at
# de0bf8e). At 2, one more flag over ~200 eval posts and the labelled set, and a right one
# ("Meridian Cloud has accepted the fine" where it said it would appeal).
ELSEWHERE_SHARED = 2


def _opposite_elsewhere(claim: str, passages: Passages) -> str | None:
    """A word turned round against any source sentence on the same thing, where the passage
    found is another: "morale has been falling due to increased optimism among companies"
    fits the headline best, and it is the lede that says companies "grew gloomier" (the Ifo
    post, demos at e7a2146, 87abc2b and de0bf8e). Pairs of opposites only: "not yet" against a
    sentence on something done flagged a hypothetical and a condition in ~170 eval posts."""
    mine = _content(claim)
    for sentence, content in zip(passages.sentences, passages.contents, strict=True):
        if len(mine & content) >= ELSEWHERE_SHARED:
            found = opposite(claim, sentence, pairs_only=True)
            if found:
                return found
    return None


def _negations_about(source: str, claim: str) -> set[str]:
    """The negations of the source sentence in the parts of it the claim speaks of. The best
    sentence alone, since in a passage of two a quote's "not" belongs to another fact; and
    only its parts that share a word with the claim: "Our seawalls cannot be built with
    promises," said Tevita Manu" holds no "cannot" about "Manu said the deal is a floor"."""
    about = _content(claim)
    found: set[str] = set()
    for part in _PARTS.split(source):
        negations = set(_words(part)) & NEGATIONS
        if negations and _content(part) & about:
            found |= negations
    return found


YES_NO = 'root ::= "yes" | "no"'


def model_verdict(backend: Backend, verdict: Verdict) -> Verdict:
    """Ask the writing model whether the passage says what the sentence says."""
    messages = [
        {
            "role": "system",
            "content": "You check facts. Answer only yes or no.",
        },
        {
            "role": "user",
            "content": (
                f"Passage: {verdict.passage}\n\nStatement: {verdict.sentence}\n\n"
                "Does the passage state everything the statement claims as fact, with the "
                "same people doing the same things, the same numbers, no added cause and no "
                "exaggeration? Opinions in the statement do not count. Answer yes or no."
            ),
        },
    ]
    completion = backend.complete(
        messages, max_tokens=2, temperature=0.0, constraints=Constraints(grammar=YES_NO)
    )
    if completion.text.strip().lower().startswith("no"):
        return Verdict(
            verdict.sentence,
            False,
            "the model finds the passage does not say this",
            verdict.passage,
        )
    return verdict


def verify(text: str, source_text: str, backend: Backend | None = None) -> list[Verdict]:
    """A verdict for every sentence of `text` (one paragraph or a whole column)."""
    passages, support = Passages.of(source_text), Support(source_text)
    verdicts = []
    for line in text.split("\n"):
        for sentence in split_sentences(line):
            verdict = rule_verdict(sentence, passages, support)
            if backend is not None and verdict.supported and verdict.reason != "opinion":
                verdict = model_verdict(backend, verdict)
            verdicts.append(verdict)
    return verdicts
