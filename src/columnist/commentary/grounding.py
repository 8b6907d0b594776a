"""Is every fact in a commentary in its sources? A careful heuristic, no NER model.

A commentary may hold any opinion, but its checkable facts must be traceable to the
story's source text (or headline): numbers and percentages, dates (months and
weekdays), names of people, places and organisations (runs of capitalised words and
acronyms, not sentence-initial common words), and quotations. Each claim is located
in its sentence, so a paragraph that holds one can be written again with the reason
named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from columnist.commentary.lexicon import is_english
from columnist.commentary.text import paragraphs, split_sentences

# -- numbers -----------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.])[$€£¥]?(\d[\d,]*(?:\.\d+)?)(?:st|nd|rd|th|s|bn|m|k|km|kg|mw|gw)?"
    r"(?:\s?(?:%|per\s?cent|percent))?(?!\w)",
    re.IGNORECASE,
)
NUMBER_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_NUMBER_WORD = re.compile(
    r"\b("
    + "|".join(_TENS)
    + r")(?:[- ]("
    + "|".join(k for k in NUMBER_UNITS if NUMBER_UNITS[k] < 10)
    + r"))?\b|\b("
    + "|".join(NUMBER_UNITS)
    + r")\b",
    re.IGNORECASE,
)
SMALL_NUMBER_WORDS = 10  # "two sides", "one thing": too idiomatic to count as facts


def _canonical(number: str) -> str:
    """ "1,200" -> "1200", "12.50" -> "12.5", "007" -> "7"."""
    whole, _, frac = number.replace(",", "").partition(".")
    whole = str(int(whole)) if whole else "0"
    frac = frac.rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def _number_words(text: str) -> list[tuple[int, int, int]]:
    """(value, start, end) of numbers written as words."""
    found = []
    for m in _NUMBER_WORD.finditer(text):
        if m.group(1):
            unit = NUMBER_UNITS[m.group(2).lower()] if m.group(2) else 0
            value = _TENS[m.group(1).lower()] + unit
        else:
            value = NUMBER_UNITS[m.group(3).lower()]
        found.append((value, m.start(), m.end()))
    return found


# -- dates -------------------------------------------------------------------------

_MONTH_TEXT = (
    "January February March April May June July August September October November December"
)
_MONTHS = _MONTH_TEXT.split()
_MONTH_ABBR = {m[:3].lower(): m for m in _MONTHS} | {"sept": "September"}
_WEEKDAY_TEXT = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
_WEEKDAYS = _WEEKDAY_TEXT.split()
_ABBREVIATED = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\."
_DATE_WORD = re.compile(r"\b(" + "|".join(_MONTHS + _WEEKDAYS) + "|" + _ABBREVIATED + r")(?=\W|$)")
# A figure that reads as a year ("since 1850", "by 2040"): such a figure is no count, no
# name's number and no day of a month.
YEAR_TEXT = r"(?:1[89]|20)\d\d"
YEAR = re.compile(YEAR_TEXT)
_MAY_DATE = re.compile(r"\bMay\b(?=\s+\d)|(?<=\d\s)May\b")


def _date_name(word: str) -> str:
    word = word.rstrip(".")
    return _MONTH_ABBR.get(word.lower(), word) if len(word) <= 4 else word


# -- names -------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'’.&-]*[\w&]|[A-Za-zÀ-ÖØ-öø-ÿ]")
_CONNECTORS = {
    "of", "the", "for", "and", "de", "del", "della", "la", "le", "van", "von", "der",
    "den", "al", "bin", "da", "du", "di", "y", "on", "&",
}  # fmt: skip
_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
    "president", "prime", "minister", "chancellor", "secretary", "general", "senator",
    "governor", "mayor", "judge", "justice", "king", "queen", "prince", "princess",
    "chief", "executive", "ceo", "chair", "chairman", "chairwoman", "director",
    "commissioner", "ambassador", "councillor", "councilor", "representative", "rep",
    "sen", "gov", "st", "saint", "pope", "bishop", "father", "captain", "colonel",
    "deputy", "vice", "foreign", "finance", "health", "defence", "defense", "head",
}  # fmt: skip
# Capitalised words that are no name: sentence openers, pronouns, common words that a
# heading-style capital or a quotation can put mid-sentence, and general terms.
_STOP_TEXT = """
    a about above after again against all also although always am among an and another
    any anyone anything are as at be because been before being below between both but by
    can cannot could did do does doing down during each either even ever every few for
    from further had has have having he her here hers herself him himself his how however
    i if in into is it its itself just least less let like many may maybe me might mine
    more most much must my myself neither never no nobody none nor not nothing now of off
    often on once one only or other others our ours ourselves out over own perhaps quite
    rather same she should since so some someone something sometimes still such than that
    the their theirs them themselves then there these they this those though through thus
    to too under until up upon us very was we were what whatever when where whether which
    while who whom whose why will with within without would yet you your yours yourself
    yes okay oh well indeed instead meanwhile moreover nevertheless nonetheless therefore
    ultimately honestly frankly clearly surely certainly admittedly granted sadly
    thankfully hopefully fortunately unfortunately interestingly importantly notably
    finally first firstly second secondly third lastly next today tomorrow yesterday
    tonight now here there consider imagine think look take make let's it's that's
    there's here's what's who's i'm i've i'd i'll we're we've they're they've you're
    don't doesn't didn't isn't aren't wasn't weren't can't won't wouldn't shouldn't
    couldn't mustn't everything everyone everybody somebody anybody
    god internet earth world government parliament congress president minister court
    state city country nation people public west western east eastern north northern
    south southern
"""
STOP_WORDS = set(_STOP_TEXT.split())
GENERIC_ACRONYMS = {"AI", "CEO", "CEOS", "GDP", "TV", "OK", "PM", "AM", "CO2", "DIY", "FAQ", "PHD"}
_ALIASES = {
    "us": ("united states", "america", "american", "u.s"),
    "usa": ("united states", "america", "american"),
    "america": ("united states", "us", "u.s", "american"),
    "american": ("united states", "us", "u.s", "america"),
    "uk": ("united kingdom", "britain", "british"),
    "britain": ("united kingdom", "uk", "british"),
    "british": ("united kingdom", "uk", "britain"),
    "eu": ("european union",),
    "un": ("united nations",),
}


def _fold(text: str) -> str:
    """Lowercase, straight quotes, letters/digits/spaces only: for phrase lookups."""
    text = text.replace("’", "'").replace("‘", "'").lower()
    text = re.sub(r"'s\b", "", text)
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’]s?$", "", word)


# -- quotations --------------------------------------------------------------------

# Curly or straight, double or single: the sampler allows no double quotation marks, and
# the 1.5B model then quoted in straight single ones, from memory ("the situation is 'a lot
# less violent than the two preceding nights'", where it was "a little bit less violent").
# A single quotation mark opens after a space or a bracket, not inside a word ("it's").
QUOTATION = re.compile(
    r"“([^”]{1,600})”|\"([^\"]{1,600})\"|(?<!\w)‘([^’]{1,600}?)’(?!\w)"
    r"|(?<![\w'])'([^'\n]{1,600}?)'(?![\w'])"
)
QUOTE_MIN_WORDS = 3  # shorter quoted terms are the writer's own scare quotes


# -- injection ---------------------------------------------------------------------

_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,60}\b(?:instructions?|prompts?|"
    r"rules|guidelines|above|previous|prior)\b|\byou are now\b|\bsystem prompt\b|"
    r"\b(?:new|real) instructions?\b|\bas an ai\b|\blanguage model\b",
    re.IGNORECASE,
)


def instruction_sentences(text: str) -> list[str]:
    """Sentences in a source that address the model: kept as data, never as support."""
    found = []
    for para in re.split(r"\n+", text):
        for sentence in split_sentences(para):
            if _INSTRUCTION.search(sentence):
                found.append(sentence)
    return found


# -- the support index and the claims ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Claim:
    kind: str  # "number" | "date" | "name" | "quote"
    text: str
    paragraph: int  # where it is, to name it when the paragraph is asked again
    sentences: tuple[int, ...]

    def as_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text}


# Adjectives and demonyms the suffix rule cannot make: Netherlands -> Dutch.
_DEMONYM_TEXT = """
    netherlands:dutch holland:dutch norway:norwegian argentina:argentine,argentinian
    france:french spain:spanish poland:polish sweden:swedish denmark:danish
    finland:finnish switzerland:swiss ireland:irish wales:welsh scotland:scottish,scots
    england:english greece:greek portugal:portuguese belgium:belgian peru:peruvian
    philippines:filipino,filipina thailand:thai afghanistan:afghan lebanon:lebanese
    cyprus:cypriot turkey:turkish,turk czechia:czech slovakia:slovak croatia:croat
    serbia:serb kazakhstan:kazakh uzbekistan:uzbek tajikistan:tajik kyrgyzstan:kyrgyz
    turkmenistan:turkmen madagascar:malagasy monaco:monegasque moscow:muscovite
    glasgow:glaswegian manchester:mancunian liverpool:liverpudlian texas:texan
    china:sino russia:russo france:franco england:anglo india:indo europe:euro africa:afro
"""
DEMONYMS: dict[str, tuple[str, ...]] = {
    name: tuple(forms.split(","))
    for name, forms in (item.split(":") for item in _DEMONYM_TEXT.split())
}
_DEMONYM_OF: dict[str, set[str]] = {}
for _name, _forms in DEMONYMS.items():
    for _form in _forms:
        _DEMONYM_OF.setdefault(_form, set()).add(_name)
# Endings that make an adjective or demonym of a name: Kenya-n, Iran-ian, Chin(a)-ese.
DEMONYM_SUFFIXES = ("", "n", "an", "ian", "ese", "ish", "i", "ic", "ean", "ern")
# Parts of a hyphenated word that are prefixes, not names: "Anti-Western", "Ex-Soviet".
_PREFIX_TEXT = """anti pro non ex post pre neo pan mid co sub inter trans multi semi quasi self
    ultra counter former then"""
HYPHEN_PREFIXES = set(_PREFIX_TEXT.split())


_PEOPLE_ENDINGS = ("an", "ese", "ish", "i")  # a people: Kenyan(s), Israeli(s)


def derives(word: str, name: str) -> bool:
    """Whether `word` is `name` with a demonym ending: Russia -> Russian(s), China -> Chinese.

    Both lowercase. The name may lose a final a/e/o/y first (Italy -> Italian, Germany ->
    German) and the result may take a plural s (Kenyans); "Putian" is no form of "Putin".
    """
    if len(name) < 4 or word == name:
        return word == name
    if word == f"{name}s" and not name.endswith(_PEOPLE_ENDINGS):
        # a people takes a plural (Kenyans, Israelis), a person or a place does not:
        # "Keirs Starmer's" (eval at 14bb0f3), "Queenslands", "Palestinianss" (e497bc0)
        return False
    stems = [name] + ([name[:-1]] if name[-1] in "aeoy" else [])
    for stem in stems:
        if len(stem) < 3 or not word.startswith(stem):
            continue
        rest = word[len(stem) :]
        if rest.endswith("s"):
            rest = rest[:-1]  # Russians, Kenyans, Germans
        if rest == "" and stem != name and name[-1] != "y":
            continue  # Germany -> German, but China is not "Chin"
        if rest == "n" and not stem.endswith("a"):
            continue  # Kenya-n, Russia-n; "Raisin" is no form of Raisi (eval at d073f71)
        if rest in DEMONYM_SUFFIXES:
            return True
    return False


class Support:
    """What the sources (and headline) establish: the numbers, dates, names and words."""

    def __init__(self, text: str) -> None:
        for sentence in instruction_sentences(text):
            text = text.replace(sentence, " ")
        self.text = text

    @cached_property
    def folded(self) -> str:
        return f" {_fold(self.text)} "

    @cached_property
    def numbers(self) -> set[str]:
        found = {_canonical(m.group(1)) for m in _NUMBER.finditer(self.text)}
        found |= {str(v) for v, _, _ in _number_words(self.text)}
        return found

    @cached_property
    def powers(self) -> set[str]:
        return powers(self.text)

    @cached_property
    def dates(self) -> set[str]:
        found = {_date_name(m.group(1)) for m in _DATE_WORD.finditer(self.text)}
        if _MAY_DATE.search(self.text) or re.search(r"\bMay\b", self.text):
            found.add("May")
        return found

    @cached_property
    def words(self) -> set[str]:
        """Every word of the sources, lowercase; a hyphenated word also as its parts."""
        found = set()
        for word in _WORD.findall(self.text):
            word = _strip_possessive(word).lower().replace("’", "'")
            found.add(word)
            found.update(p for p in word.split("-") if p)
        return found

    @cached_property
    def capitalised(self) -> set[str]:
        """Capitalised words of the sources (and capitalised parts of hyphenated ones)."""
        found = set()
        for word in _WORD.findall(self.text):
            parts = [word, *word.split("-")] if "-" in word else [word]
            found.update(_strip_possessive(p).lower() for p in parts if p[:1].isupper())
        return found

    @cached_property
    def initials(self) -> set[str]:
        """Acronyms the sources imply: "The European Central Bank" -> ECB (and CB)."""
        found = set()
        for run in re.findall(
            r"(?:[A-Z][\w-]+\s+(?:(?:of|for|and|the)\s+)?)+[A-Z][\w-]+", self.text
        ):
            letters = [w[0].lower() for w in run.split() if w[0].isupper()]
            for i in range(len(letters) - 1):
                found.add("".join(letters[i:]))
        return found

    def has_phrase(self, phrase: str) -> bool:
        folded = _fold(phrase)
        return bool(folded) and f" {folded} " in self.folded

    def has_word(self, word: str) -> bool:
        """Whether the sources use `word`, a demonym of a name they use, or (for a
        hyphenated word) each capitalised part: "Russian-Putian" needs "Putian" too."""
        word = _strip_possessive(word.replace("’", "'"))
        low = word.lower()
        if low in self.words:
            return True
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1:
            named = [p for p in parts if p[0].isupper()] or parts
            return all(p.lower() in HYPHEN_PREFIXES or self.has_word(p) for p in named)
        if any(self.has_phrase(alias) for alias in _ALIASES.get(low, ())):
            return True
        return self.has_demonym(low)

    def has_demonym(self, word: str) -> bool:
        """A name the sources use of which `word` is the demonym, or the other way round:
        Kenyan ~ Kenya, Chinese ~ China, Dutch ~ Netherlands (a table), Russia ~ Russians."""
        word = word.lower()
        singular = word[:-1] if word.endswith("s") else word
        for form in (word, singular):
            if any(self.has_phrase(name) for name in _DEMONYM_OF.get(form, ())):
                return True
        for form in DEMONYMS.get(word, ()):
            if form in self.words or f"{form}s" in self.words:
                return True
        if len(word) < 4:
            return False
        return any(
            derives(word, known)
            and (word.removesuffix("s") == known or is_english(word))
            or derives(known, word)
            for known in self.capitalised
        )  # a made-up ending is not a demonym: "Germanians" from Germany


BLANK = "¶"  # fills a quotation already checked, so its words are not read as names


def _name_runs(sentence: str) -> list[tuple[list[str], bool]]:
    """Runs of capitalised words that may name someone or something.

    Each run comes with whether it opens the sentence, where a capital proves nothing.
    Lowercase connectors ("Bank of England") join words; punctuation breaks a run.
    """
    runs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    current_at_start = False
    pending: list[str] = []  # connectors waiting for a capitalised word
    prev_end = 0
    for i, m in enumerate(_WORD.finditer(sentence)):
        word, gap = m.group(0), sentence[prev_end : m.start()]
        prev_end = m.end()
        if current and re.search(r"[,;:()\"“”!?¶]|[.](?=\s)|\s[-–—]\s", gap):
            runs.append((current, current_at_start))
            current, pending = [], []
        at_start = (i == 0 and BLANK not in gap) or bool(re.search(r"[:\"“‘(]\s*$", gap))
        if word[0].isupper() and word not in ("I", "I'm", "I’m", "I've", "I’ve", "I'd", "I'll"):
            if not current:
                if at_start and word.lower() in STOP_WORDS:
                    continue
                current, current_at_start = [word], at_start
            else:
                current.extend([*pending, word])
            pending = []
        elif current and word.lower() in _CONNECTORS:
            pending.append(word)
        elif current:
            runs.append((current, current_at_start))
            current, pending = [], []
    if current:
        runs.append((current, current_at_start))
    return runs


def _is_acronym(word: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", word)
    return len(letters) >= 2 and letters.isupper()


def _word_supported(word: str, support: Support) -> bool:
    if _is_acronym(word):
        return support.has_word(word) or word.lower() in support.initials
    return support.has_word(word)


def _name_supported(words: list[str], support: Support) -> bool:
    words = [_strip_possessive(w) for w in words]
    if support.has_phrase(" ".join(words)):
        return True
    core = [w for w in words if w.lower() not in _TITLES and w.lower() not in _CONNECTORS]
    if core and support.has_phrase(" ".join(core)):
        return True
    content = [
        w
        for w in core
        if w.lower() not in STOP_WORDS
        and w.upper() not in GENERIC_ACRONYMS
        and w not in _MONTHS
        and w not in _WEEKDAYS
    ]
    return all(_word_supported(w, support) for w in content)


# Verbs that make the single capitalised word before them at a sentence start the name
# of someone or something ("Peskov said", "Gazprom announced"), where a capital alone
# proves nothing ("Nothing changed").
_SAYS_TEXT = """said says told tells warned warns argued argues announced announces insisted insists
    claimed added adds noted wrote writes signed met meets visited visits urged urges denied
    denies rejected rejects welcomed welcomes praised criticised criticized pledged pledges
    promised vowed vows admitted admits confirmed confirms declared declares accused
    accuses"""
_SAYS = set(_SAYS_TEXT.split())


def _unsupported_name(
    run: list[str], at_start: bool, support: Support, sentence: str = ""
) -> str | None:
    """The name a run makes, if the sources do not support it."""
    while run and run[-1].lower() in _CONNECTORS:
        run = run[:-1]
    if not run:
        return None
    if at_start:
        if len(run) == 1 and not _is_acronym(run[0]):
            said = re.search(rf"\b{re.escape(run[0])}\s+([a-z]+)", sentence)
            if not said or said.group(1) not in _SAYS:
                return None  # without a lexicon "Nothing changed" looks like "Putin won"
        if len(run) > 1 and _name_supported(run[1:], support):
            return None  # "Watching Xi Jinping ...": the opener is an ordinary word
    if _name_supported(run, support):
        return None
    if "and" in run:  # "Russian and Chinese": two names, report the unsupported ones
        parts = " ".join(run).split(" and ")
        bad = [p for p in parts if p and not _name_supported(p.split(), support)]
        return " and ".join(bad) or None
    return " ".join(run)


def _quote_supported(quote: str, support: Support) -> bool:
    fragments = [f for f in re.split(r"\.\.\.|…|\[[^\]]*\]", quote) if len(f.split()) >= 2]
    return all(support.has_phrase(f) for f in fragments) if fragments else True


def blank_quotations(para: str) -> str:
    """`para` with each quotation filled with BLANK, every position kept: what is left is
    the writer's own words."""
    return QUOTATION.sub(lambda m: BLANK * (m.end() - m.start()), para)


def sentence_spans(para: str, sentences: list[str]) -> list[tuple[int, int]]:
    """Where each of `para`'s split sentences starts and ends in it, so a mark or a blanked
    quotation can be mapped back to its sentence."""
    spans, pos = [], 0
    for sentence in sentences:
        start = para.find(sentence, pos)
        start = pos if start < 0 else start
        spans.append((start, start + len(sentence)))
        pos = start + len(sentence)
    return spans


_SCALED = re.compile(
    r"(?<![\w.])[$€£¥]?(\d[\d,]*(?:\.\d+)?)\s?(thousand|million|billion|trillion|quadrillion|bn)\b",
    re.IGNORECASE,
)


def _scaled(text: str) -> set[tuple[str, str]]:
    """(number, scale) pairs: "250 million" -> ("250", "million"); "bn" is "billion"."""
    return {
        (_canonical(m.group(1)), m.group(2).lower().replace("bn", "billion"))
        for m in _SCALED.finditer(text)
    }


# Scales are figures too: "millions of acres (billions hectares)" where the news has
# millions of both (eval at 1cb55d2, the Powder River post). An abbreviation in the
# sources ("$2.1bn", "£120m") counts as the word.
SCALES = {
    "million": r"\d\s?(?:m|mn)\b",
    "billion": r"\d\s?(?:bn|b)\b",
    "trillion": r"\d\s?(?:tn|trn)\b",
    "quadrillion": r"\d\s?(?:qn)\b",
}


# Powers: "10^26" in the news became "10⁵" and "10, 26 quadrillion" in the MPs' AI bill
# post (demos at 8ef1527 and after): a superscript is no digit to the figure rules, so
# "10⁵" passed as the "10" of "10%". A power is a figure of its own, written any way.
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_POWER = re.compile(r"(\d+)\s?(?:\^|\*\*)\s?(\d+)|(\d+)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")


def powers(text: str) -> set[str]:
    """ "10^26", "10**26" and "10²⁶" -> "10^26"."""
    return {
        f"{m.group(1) or m.group(3)}^{(m.group(2) or m.group(4)).translate(_SUPERSCRIPT)}"
        for m in _POWER.finditer(text)
    }


_BARE_SCALE = re.compile(r"(?<![\d,.])(?<![\d,.]\s)\b(million|billion|trillion)s?\b", re.IGNORECASE)


def has_scale(text: str, scale: str) -> bool:
    """Whether `text` uses a scale of SCALES, as a word or abbreviated ("$2.1bn")."""
    return bool(re.search(rf"\b{scale}s?\b|{SCALES[scale]}", text, re.IGNORECASE))


def _bare_scales(text: str, support: Support) -> list[str]:
    """ "billions of hectares", "a million people" where no source has that scale at all
    (nor its abbreviation, "bn"): an invented figure without a digit in it."""
    return [
        m.group(0)
        for m in _BARE_SCALE.finditer(text)
        if not has_scale(support.text, m.group(1).lower())
    ]


def _sentence_claims(text: str, support: Support) -> list[tuple[str, str]]:
    """Unsupported numbers, dates and names in one sentence (quotations blanked)."""
    claims: list[tuple[str, str]] = []
    for m in _NUMBER.finditer(text):
        if _canonical(m.group(1)) not in support.numbers:
            claims.append(("number", m.group(0).strip()))
    known = _scaled(support.text)
    for number, scale in sorted(_scaled(text) - known):
        if number in support.numbers and any(n == number for n, _ in known):
            claims.append(("number", f"{number} {scale}"))  # "250 billion" for "250 million"
    claims += [("number", scale) for scale in _bare_scales(text, support)]
    claims += [
        ("number", m.group(0))
        for m in _POWER.finditer(text)
        if powers(m.group(0)).isdisjoint(support.powers)
    ]
    for number, scale in sorted(_scaled(text)):  # "26 quadrillion" where none has that scale
        claim = ("number", f"{number} {scale}")
        if scale in SCALES and not has_scale(support.text, scale) and claim not in claims:
            claims.append(claim)
    for value, start, end in _number_words(text):
        if value > SMALL_NUMBER_WORDS and str(value) not in support.numbers:
            claims.append(("number", text[start:end]))
    for m in _DATE_WORD.finditer(text):
        name = _date_name(m.group(1))
        if name == "May" and not _MAY_DATE.search(text):
            continue  # the verb
        if name not in support.dates:
            claims.append(("date", m.group(1)))
    for run, at_start in _name_runs(text):
        name = _unsupported_name(run, at_start, support, text)
        if name:
            claims.append(("name", name))
    return claims


def find_claims(body: str, support: Support) -> list[Claim]:
    """Unsupported claims in a commentary, each with the sentences that hold it."""
    found: list[Claim] = []
    for p, para in enumerate(paragraphs(body)):
        spans = sentence_spans(para, split_sentences(para))
        blanked = blank_quotations(para)
        for m in QUOTATION.finditer(para):
            quote = next(g for g in m.groups() if g is not None).strip()
            if len(quote.split()) >= QUOTE_MIN_WORDS and not _quote_supported(quote, support):
                held = tuple(s for s, (a, b) in enumerate(spans) if a < m.end() and b > m.start())
                found.append(Claim("quote", quote, p, held or (0,)))
        for s, (a, b) in enumerate(spans):
            for kind, text in _sentence_claims(blanked[a:b], support):
                found.append(Claim(kind, text, p, (s,)))
    return found
