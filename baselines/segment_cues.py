"""Plain-text cues about single lines of a scraped news page.

We only have text (no HTML), so every cue is lexical or positional: length, stopword
density, terminal punctuation, repetition within the page, widget and appeal phrases,
byline/date/caption patterns. The rule segmenter decides with them; the learned one
uses them as features.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from presscut.schema import is_blank

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)
_TERMINAL = re.compile(r"[.!?…。！？][\"'”’»)\]]*\s*$")
_FULL_STOP = re.compile(r"[.…。:;,][\"'”’»)\]]*\s*$")
_DIGITS_ONLY = re.compile(r"^[\d\s.,:%+\-/()]+$")

# Widgets, navigation, sharing, comment and account prompts. Anchored or short-line
# phrases only: these words also occur in real sentences.
_WIDGET = re.compile(
    r"^(?:comments?|share(?: this)?|tweet|print|e-?mail|advertisement|advertising|"
    r"related(?: articles| stories| news)?|read more|see also|more from .*|most read|"
    r"trending|recommended|you may also like|follow us.*|sign up.*|subscribe.*|log ?in|"
    r"sign in|register|menu|search|home|top|next|previous|back to top|loading\.*|"
    r"(?:\w+ )?icon|help-image.*|close|skip to .*|listen|save|copy link)\s*[:.!]?\s*$"
    r"|^related\s*:|^read (?:more|also)\s*:|^see also\s*:|^(?:also )?read\s*:"
    r"|(?:^| )(?:>|›|»|\|) \S.*(?:>|›|»|\|)|^home\s*(?:>|›|»|/)"  # breadcrumbs
    r"|\bprint\b.*\bprint\b|\blog ?in to\b|\bto write comments\b|\bcomment(?:ing)? forum\b"
    r"|\bplease (?:refresh|log ?in|sign ?in|enable)\b|\bthank you for (?:registering|"
    r"subscribing|signing)\b|\b(?:twitter|facebook|whatsapp|linkedin|telegram)\b.*\baccount"
    r"|\ball rights reserved\b|©|\bcopyright \d{4}|\bcookies?\b.*\b(?:policy|consent|accept)"
    r"|\bprivacy policy\b|\bterms (?:of|and) (?:use|service|conditions)\b|\(\d+/\d+\S*\)"
    r"|^comments are (?:closed|disabled)|\bclick here\b|\bnewsletter\b|\bsocial comment\b|^you are here\b|^listen to this"
    r"|^(?:a\s*){2,3}$|^recommended\s*:|^most (?:read|popular|viewed)\s*:?|\bunsubscribe\b"
    r"|\bwill not be published\b|\brequired fields\b|^(?:\w+ ){0,2}/ \S.* / "
    r"|^(?:(?:facebook|twitter|x|whatsapp|linkedin|telegram|reddit|pinterest|email|e-mail|"
    r"messenger|copy link|print)[\s,|·•]*){2,}$",
    re.IGNORECASE,
)
# Donation / membership appeals: an opener starts an appeal block.
_APPEAL_OPENER = re.compile(
    r"\b(?:your support|support (?:us|our journalism|independent|quality journalism)|"
    r"donat(?:e|ion)|become a (?:member|subscriber|supporter)|(?:make|monthly|one-off) "
    r"(?:a )?contribution|value what we do|paywall|in your inbox)",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|your|you)\b", re.IGNORECASE)
# A quoted "we" is a source speaking, not the outlet appealing to its readers.
_QUOTED = re.compile(r"[“\"][^”\"]*(?:[”\"]|$)")

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
           r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE = re.compile(
    rf"\b(?:\d{{1,2}} {_MONTHS},? \d{{4}}|{_MONTHS} \d{{1,2}},? \d{{4}}|\d{{4}}-\d\d-\d\d"
    r"|\d{1,2}/\d{1,2}/\d{2,4}|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|\d{1,2}:\d\d\s*(?:am|pm|gmt|utc|[a-z]{2,4}t)?\b|^(?:last )?(?:updated|published|posted)\b)",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by|written by|reported by|words by|text by|from)\s+\S|[\w.+-]+@[\w-]+\.[\w.]+"
    r"|\b(?:staff (?:writer|reporter)|correspondent|contributor|reporter)\s*$",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"\((?:[^()]*\b(?:afp|reuters|ap|epa|getty|kcna|yonhap|xinhua|dpa|photo|file|"
    r"courtesy|handout|screenshot|image|pool|anadolu|wana|sana|irna|spa|wam)\b[^()]*)\)"
    r"\s*[.,]?\s*$"
    r"|^(?:this |a |the |an )?(?:picture|photo(?:graph)?|image|file photo|screenshot)s?\b"
    r".*\b(?:taken|shows?|released|provided|obtained)\b"
    r"|\b(?:photo|picture|image)\s*(?:by|:|credit|courtesy)|\bcredit\s*:"
    r"|\b(?:getty images?|ap photo|afp photo|reuters/|afp/|epa/|via getty|shutterstock)\b"
    r"|\bpictured\b|\b(?:photo|image)\s*/",
    re.IGNORECASE,
)
# Reported speech ends with the agency too ("..., the agency said (KCNA).") but is body.
_REPORTED = re.compile(r"\b(?:according to|said|says|told|reported|quoted)\b", re.IGNORECASE)
# Lone all-caps tokens right under a caption are agency credits ("TT", "AFP").
_CREDIT_TOKEN = re.compile(r"^[A-Z][A-Z/&.\- ]{0,20}$")
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.\-]+|[A-Z]\.|de|da|van|von|bin|al|el|le|la)$")

STOPWORDS = frozenset(ENGLISH_STOP_WORDS)


def normalise(line: str) -> str:
    """Casefold, collapse whitespace, strip punctuation/symbols at both ends."""
    text = " ".join(line.casefold().split())
    start, end = 0, len(text)
    while start < end and unicodedata.category(text[start])[0] in "PSZ":
        start += 1
    while end > start and unicodedata.category(text[end - 1])[0] in "PSZ":
        end -= 1
    return text[start:end]


_SITE_SUFFIX = re.compile(r"\s+(?:\||–|—|-|::)\s+[^|–—]{2,40}$")


def title_key(line: str) -> str:
    """Normalised headline without a trailing site name ("... | The Daily Post")."""
    text = normalise(line)
    cut = normalise(_SITE_SUFFIX.sub("", text))
    return cut if len(cut.split()) >= 3 else text


def words(line: str) -> list[str]:
    return _WORD.findall(line)


@dataclass
class LineCues:
    n_chars: int = 0
    n_words: int = 0
    stop_density: float = 0.0
    cap_ratio: float = 0.0  # share of words starting upper-case
    terminal: bool = False  # ends like a sentence
    full_stop: bool = False  # ends with a full stop (or , ; :), never a headline's end
    ends_stopword: bool = False  # "... children every": a cut line, not a headline
    digits_only: bool = False
    widget: bool = False
    appeal_opener: bool = False
    first_person: bool = False
    date: bool = False
    byline: bool = False
    name_like: bool = False
    caption: bool = False
    credit_token: bool = False
    repeats: int = 0  # other lines in the page with the same normalised text
    first_copy: bool = True
    near_neighbour: bool = False  # a close copy sits among the nearest non-blank lines
    copy_neighbour: bool = False  # the next or previous non-blank line is identical
    position: float = 0.0  # rank among non-blank lines, 0..1
    blank_before: int = 0  # blank lines right before
    blank_after: int = 0
    starts_lower: bool = False  # first letter lower-case (never in a headline)
    blank: bool = False


def line_cues(lines: list[str]) -> list[LineCues]:
    """Cues for every line of a page (blank lines get ``blank=True`` and nothing else)."""
    n = len(lines)
    norms = [normalise(x) if not is_blank(x) else "" for x in lines]
    counts = Counter(x for x in norms if x)
    content = [i for i in range(n) if norms[i]]
    rank = {i: r for r, i in enumerate(content)}
    seen: set[str] = set()
    out: list[LineCues] = []
    for i, line in enumerate(lines):
        if not norms[i]:
            out.append(LineCues(blank=True))
            continue
        text = line.strip()
        ws = words(text)
        lw = [w.casefold() for w in ws]
        n_words = len(ws)
        c = LineCues(
            n_chars=len(text),
            n_words=n_words,
            stop_density=sum(w in STOPWORDS for w in lw) / n_words if n_words else 0.0,
            cap_ratio=sum(w[:1].isupper() for w in ws) / n_words if n_words else 0.0,
            terminal=bool(_TERMINAL.search(text)),
            full_stop=bool(_FULL_STOP.search(text)),
            ends_stopword=bool(lw) and lw[-1] in STOPWORDS and not _TERMINAL.search(text),
            digits_only=bool(_DIGITS_ONLY.match(text)),
            widget=bool(_WIDGET.search(text)) and n_words <= 30,
            appeal_opener=bool(_APPEAL_OPENER.search(text)),
            first_person=bool(_FIRST_PERSON.search(_QUOTED.sub(" ", text))),
            date=bool(_DATE.search(text)),
            byline=bool(_BYLINE.search(text)) and n_words <= 14,
            name_like=2 <= n_words <= 5 and len(text) <= 45 and not any(ch.isdigit() for ch in text)
            and all(_NAME_WORD.match(w) for w in text.replace(",", " ").split()),
            caption=bool(_CAPTION.search(text)) and not _REPORTED.search(text),
            starts_lower=next((ch.islower() for ch in text if ch.isalpha()), False),
            credit_token=bool(_CREDIT_TOKEN.match(text)) and n_words <= 3,
            repeats=counts[norms[i]] - 1,
            first_copy=norms[i] not in seen,
            position=rank[i] / max(1, len(content) - 1),
        )
        seen.add(norms[i])
        b = i - 1
        while b >= 0 and not norms[b]:
            b -= 1
        c.blank_before = i - 1 - b
        a = i + 1
        while a < n and not norms[a]:
            a += 1
        c.blank_after = a - i - 1
        out.append(c)
    # Close copies among the nearest two non-blank neighbours: image alt text + caption,
    # caption + caption-with-credit. Body paragraphs almost never sit next to a copy.
    for r, i in enumerate(content):
        if out[i].n_words < 5:
            continue
        for j in content[max(0, r - 2): r] + content[r + 1: r + 3]:
            a, b = norms[i], norms[j]
            if len(b) < 15:
                continue
            if a == b:
                # a headline printed twice sits further apart than alt text + caption
                out[i].copy_neighbour |= abs(rank[j] - r) == 1
            elif a.startswith(b) or b.startswith(a) or fuzz.ratio(a, b) >= 90:
                out[i].near_neighbour = True
    return out


def title_like(c: LineCues) -> bool:
    """Headline shape: a few words, not a sentence ending in a full stop."""
    if c.starts_lower or c.ends_stopword or c.digits_only or c.n_chars > 180:
        return False
    if not c.terminal:
        return 3 <= c.n_words <= 25
    # "Who is behind the new vaccine?" is a headline; a full stop needs Title Case.
    return 3 <= c.n_words <= 16 and (not c.full_stop or c.cap_ratio >= 0.6)
