"""Story instances: many distinct stories composed from one pool story.

The pool holds a few dozen clean articles; a synthetic split needs hundreds of distinct
stories and article texts, or article dedup and story clustering become trivial. Each pool
story is therefore a *template*: an instance ``(story, key)`` rewrites all the story's
articles with one consistent substitution, drawn from ``(seed, story key, instance key)``:

* **entities** — capitalised tokens that are not at the start of a sentence (people,
  places, organisations), minus a stoplist of common capitalised words (months, weekdays,
  institution words such as ``River`` or ``University``), become generated fictional names;
  acronyms become other letters;
* **numbers** — years shift by a few years, small counts and days are redrawn, larger
  quantities are rescaled with their format (thousands separators, decimals) kept;
* **wording** — one variant per word group of ``data/variants.json``
  (``said``/``stated``/``noted``, ``bridge``/``viaduct``/``crossing`` …).

The mapping is the same for every article, title, caption and byline of the instance, so
quotes shared by several outlets' articles stay identical within an instance (a story),
while two instances of one template differ in roughly every fourth word (not near
duplicates; ``tests/test_synth.py`` measures it).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path

from presscut.builder.pools import DATA_DIR, CleanArticle

VARIANTS = DATA_DIR / "variants.json"
P_DROP_PARAGRAPH = 0.25
MIN_PARAGRAPHS = 3

# Capitalised words that are not names of this story's people, places or organisations:
# left alone so "the Varn River" becomes "the Telsa River", not "the Telsa Moruk".
STOPLIST = frozenset(
    """
    I A An The And But Or Of In On At To For By With From As Is It This That These Those
    Mr Mrs Ms Dr Prof Sir Madam St Mt Jr Sr Ltd Inc Co Corp
    January February March April May June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Wed Thu Fri Sat Sun
    North South East West Northern Southern Eastern Western Central National Federal
    Regional International Royal General State City County Province Region District Republic
    River Lake Sea Bay Island Mountain Valley Bridge Street Road Avenue Square Park Harbour
    Port Airport Station Stadium Hall Museum Library Gallery Theatre Hospital Cathedral
    University College School Institute Academy Centre Center Council Parliament Senate
    Ministry Minister President Prime Governor Mayor Chancellor Commission Commissioner
    Department Agency Authority Service Services Office Court Police Army Navy Force
    Bank Fund Group Party Union League Club Association Federation Foundation Trust Company
    Health Art Science Orchestra Festival Cup Championship Prize Award Day Week New Old Great Little
    GMT UTC BST CET EST PST AM PM UK US USA EU UN TV FM AP
    """.split()
)

_WORD = re.compile(r"[A-Z][A-Za-z]+|[A-Z]{2,5}\b")
# a capitalised token opening a sentence may be an ordinary word ("Drivers face ...")
_OPENER = re.compile(r"(?:^|[.!?:;]['\"”’)]*)\s*['\"“‘(]*$")
# numbers that stand alone: not part of a time (07:45), a date (14.03.2023), a code
_NUMBER = re.compile(r"(?<![\w.:,/\-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w:/]|[.,]\d)")

_ONSETS = "b br c d dr f g gr h k kr l m n p pr r s st t tr v z".split()
_VOWELS = "a e i o u a e o ai ei".split()
_CODAS = [""] * 10 + "l n r s m nd rk lt".split()


def _name_bank(n: int = 4000) -> list[str]:
    """Fictional names from syllables, drawn once from a fixed seed (part of the format)."""
    rng = random.Random(20240611)
    out: set[str] = set()
    while len(out) < n:
        parts = [
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.choice((2, 2, 3)))
        ]
        name = "".join(parts)
        if 4 <= len(name) <= 9:
            out.add(name.capitalize())
    return sorted(out)


NAMES = _name_bank()


@dataclass(frozen=True)
class Variants:
    """``data/variants.json``: word groups (one pick per instance) and rotations (one shift)."""

    groups: tuple[tuple[str, ...], ...]
    rotations: tuple[tuple[str, ...], ...]

    @classmethod
    def load(cls, path: Path = VARIANTS) -> Variants:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            groups=tuple(tuple(g) for g in doc["groups"]),
            rotations=tuple(tuple(r) for r in doc.get("rotations", ())),
        )

    def options(self, words: set[str]) -> list[list[tuple[str, str]]]:
        """Per group or rotation touching ``words``: its possible rewrites, as pair lists."""
        out = []
        for g in self.groups:
            if any(all(w in words for w in v.split()) for v in g):
                out.append([[(v, pick) for v in g] for pick in g])
        for r in self.rotations:
            if any(v.lower() in words for v in r):
                n = len(r)
                out.append(
                    [[(v, r[(i + step) % n]) for i, v in enumerate(r)] for step in range(1, n)]
                )
        return out


def _texts(a: CleanArticle) -> list[str]:
    return [t for t in (a.title, a.dek, a.byline, a.dateline, *a.captions, *a.paragraphs) if t]


def _entity_tokens(articles: list[CleanArticle]) -> set[str]:
    found: set[str] = set()
    for a in articles:
        # titles may be title-cased, so they only receive names found elsewhere; a byline is
        # a name from its first word
        for text, whole in [(a.byline, True)] + [
            (t, False) for t in (a.dek, a.dateline, *a.captions, *a.paragraphs)
        ]:
            if not text:
                continue
            for m in _WORD.finditer(text):
                tok = m.group(0)
                if tok in STOPLIST:
                    continue
                if whole or not _OPENER.search(text, 0, m.start()):
                    found.add(tok)
    return found


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


class StoryTemplate:
    """What an instance of one pool story may rewrite: found once, applied per instance."""

    def __init__(self, story_key: str, articles: list[CleanArticle], variants: Variants):
        self.story_key = story_key
        self.articles = sorted(articles, key=lambda a: a.id)
        joined = "\n".join(t for a in self.articles for t in _texts(a))
        self.entities = sorted(_entity_tokens(self.articles))
        self.numbers = sorted({m.group(0) for m in _NUMBER.finditer(joined)})
        keys = set(self.entities) | set(self.numbers)
        # per word group or rotation this story uses (file order: the draw depends on it),
        # its rewrites as ready mapping fragments, so an instance costs one update per group
        words = set(re.findall(r"[A-Za-z][a-z\-]*", joined.lower()))
        self._fragments: list[list[dict[str, str]]] = []
        for options in variants.options(words):
            fragments = []
            for pairs in options:
                frag = {}
                for old, new in pairs:
                    frag[old], frag[_cap(old)] = new, _cap(new)
                fragments.append(frag)
            keys |= set(fragments[0])
            self._fragments.append(fragments)
        # one pattern per article with only the keys it contains: a long alternation is
        # what rendering spends its time on
        self.patterns: dict[str, re.Pattern | None] = {}
        for a in self.articles:
            text = "\n".join(_texts(a))
            self.patterns[a.id] = _pattern([k for k in keys if k in text])

    def mapping(self, rng: random.Random) -> dict[str, str]:
        out: dict[str, str] = {}
        for options in self._fragments:
            out.update(options[int(rng.random() * len(options))])
        year_shift = rng.choice((-5, -4, -3, -2, -1, 1, 2, 3))
        for num in self.numbers:
            out[num] = _renumber(rng, num, year_shift)
        plain = [e for e in self.entities if not e.isupper()]
        for tok, name in zip(plain, rng.sample(NAMES, len(plain))):
            out[tok] = name
        for tok in (e for e in self.entities if e.isupper()):
            out[tok] = "".join(rng.choice("ABCDEFGHKLMNPRSTVW") for _ in tok)
        return out

    def render(
        self, article: CleanArticle, mapping: dict[str, str], key: str, rng: random.Random
    ) -> CleanArticle:
        """``article`` rewritten by ``mapping``; its id and story key gain ``#key``.

        Each outlet also cuts its own version: ``rng`` (one per instance and article) drops
        some paragraphs after the lead, keeping at least ``MIN_PARAGRAPHS``.
        """
        paras = list(article.paragraphs)
        for j in range(len(paras) - 1, 0, -1):
            if len(paras) > MIN_PARAGRAPHS and rng.random() < P_DROP_PARAGRAPH:
                del paras[j]
        singles = (article.title, article.dek, article.byline, article.dateline)
        texts = [t or "" for t in singles] + [*article.captions, *paras]
        pattern = self.patterns[article.id]
        if pattern is not None:
            # pool texts are single lines: one pass over all of them joined by newlines
            texts = pattern.sub(lambda m: mapping[m.group(0)], "\n".join(texts)).split("\n")
        n_caps = len(article.captions)
        title, dek, byline, dateline = (t if s else s for t, s in zip(texts[:4], singles))
        return replace(
            article,
            id=f"{article.id}#{key}",
            title=title,
            dek=dek,
            byline=byline,
            dateline=dateline,
            captions=tuple(texts[4 : 4 + n_caps]),
            paragraphs=tuple(texts[4 + n_caps :]),
            story=f"{article.story_key}#{key}",
        )


def _pattern(keys: list[str]) -> re.Pattern | None:
    if not keys:
        return None
    alternation = "|".join(map(re.escape, sorted(keys, key=lambda k: (-len(k), k))))
    # not inside a word or a clock time ("07:45" keeps its minutes)
    return re.compile(r"(?<!\w)(?<!\d:)(?:" + alternation + r")(?!\w|:\d)")


def _renumber(rng: random.Random, num: str, year_shift: int) -> str:
    digits = num.replace(",", "")
    if "." in digits:
        whole, frac = digits.split(".")
        value = float(digits) * rng.uniform(0.6, 1.6)
        text = f"{value:,.{len(frac)}f}" if "," in num else f"{value:.{len(frac)}f}"
        return text if text != num else f"{value + 1:.{len(frac)}f}"
    if len(digits) > 1 and digits.startswith("0"):
        return num  # clock digits and codes keep their shape
    value = int(digits)
    if 1900 <= value <= 2099 and "," not in num:
        return str(value + year_shift)
    if value <= 31:
        # days of the month and small counts stay plausible as either
        new = rng.randint(2, 28)
        return str(new if new != value else new + 1)
    zeros = len(digits) - len(digits.rstrip("0"))
    step = 10 ** min(zeros, len(digits) - 1)
    new = max(step, round(value * rng.uniform(0.5, 1.8) / step) * step)
    if new == value:
        new += step
    return f"{new:,}" if "," in num else str(new)


def instance_rng(seed: int, story_key: str, key: str) -> random.Random:
    digest = hashlib.sha256(f"presscut-instance:{seed}:{story_key}:{key}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))
