"""Source baselines: which outlet published a scraped page (null when the page does not say).

Input pages ``{"doc_id", "text"}``; output ``{"doc_id", "outlet"}``.

- :class:`OutletRule` reads the explicit evidence a page carries about itself: a
  copyright line ("© 2024 Outlet"), self-promotion ("Outlet is trusted by",
  "The Independent is on the ground"), a sign-in line ending "with the Korea
  JoongAng Daily", a byline e-mail domain ("BY NAME [x@joongang.co.kr]"). Every
  match is a vote with a weight; the best-supported name wins if it has enough.
  ``fit`` learns aliases (e-mail domains, name spellings) from labelled pages.
- :class:`CharNgramOutlet` is a character n-gram TF-IDF + logistic regression
  classifier that abstains (null) when its top probability is low.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from presscut.baselines.estimator_io import SaveLoadMixin, check_records, text_of
from presscut.baselines.registry import baseline
from presscut.errors import PresscutError
from presscut.harness.metrics import accuracy, macro_f1
from presscut.schema import split_lines

PAGE_FIELDS = ("doc_id", "text")
NO_OUTLET = "__none__"  # the class CharNgramOutlet learns for pages with no outlet

# A name: up to six capitalised words ("Korea JoongAng Daily", "The Independent",
# "Asharq Al-Awsat", "AP"); "of"/"and"/"&" may join them ("Voice of America").
_CAP = r"[A-Z][\w'’&-]*(?:\.[\w'’&-]+)*"  # dots only inside a word ("Yahoo.com")
_NAME = rf"(?:The\s+)?{_CAP}(?:\s+(?:(?:of|and|&|the)\s+)?{_CAP}){{0,5}}"


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: re.Pattern
    weight: float


# Weights: a line that could only be the outlet speaking about itself counts 2+;
# weaker cues (a bare "The X is ...") need a second vote or a known name.
PATTERNS: tuple[Pattern, ...] = (
    Pattern("copyright", re.compile(
        rf"(?:©|\(c\)|copyright)\s*(?:\d{{4}}(?:\s*[-–]\s*\d{{4}})?\s*,?\s*)?(?P<name>{_NAME})",
        re.IGNORECASE), 3.0),
    Pattern("trusted_by", re.compile(rf"(?P<name>{_NAME})\s+is\s+trusted\s+by\b"), 3.0),
    # "Log in to Twitter or Facebook account to connect / with the Korea JoongAng Daily":
    # only a short line, so that a headline ending "... with the South" is no evidence
    Pattern("connect_with", re.compile(
        rf"^(?=(?:\S+\s+){{0,7}}\S+$)(?:.*\s)?with\s+the\s+(?P<name>{_NAME}\w)$"), 2.0),
    Pattern("readers", re.compile(rf"\b(?:other|fellow)\s+(?P<name>{_NAME})\s+readers\b"), 1.0),
    Pattern("the_x_is", re.compile(
        rf"\b(?P<name>The\s+{_CAP}(?:\s+{_CAP}){{0,3}})\s+is\s+"
        r"(?:on\s+the\s+ground|an?\s+(?:independent|trusted|leading|award|news|daily)"
        r"|committed|here|proud|funded|reader)"), 1.5),
    Pattern("all_rights", re.compile(rf"(?P<name>{_NAME})[.,]?\s+All\s+rights\s+reserved"), 2.0),
)
# "BY MICHAEL LEE [lee.junhyuk@joongang.co.kr]": the byline's e-mail domain
_EMAIL = re.compile(r"[\w.+-]+@(?P<domain>[\w-]+(?:\.[\w-]+)+)")
_GENERIC_DOMAINS = frozenset("gmail yahoo hotmail outlook protonmail icloud aol mail".split())
# Words a capitalised run may start with that are never an outlet's name
_NOT_NAMES = frozenset("this that it he she we they our your his her their".split())
MIN_SCORE = 2.0


def check_pages(pages: Iterable[dict]) -> list[dict]:
    return check_records(pages, PAGE_FIELDS, "doc_id", "page")


def _key(name: str) -> str:
    """Matching key for a name: case-folded, without a leading "The" and punctuation."""
    name = re.sub(r"^the\s+", "", name.strip().casefold())
    return re.sub(r"[^\w]+", " ", name).strip()


def _domain_key(domain: str) -> str:
    """The registrable label of a domain: joongang.co.kr → joongang, news.bbc.co.uk → bbc."""
    parts = [p for p in domain.casefold().split(".") if p]
    while len(parts) > 1 and (len(parts[-1]) <= 3 or parts[-1] in {"com", "org", "net", "co"}):
        parts.pop()
    return parts[-1] if parts else domain.casefold()


@dataclass
class Evidence:
    line: int
    kind: str
    name: str  # the name as written, or the domain
    weight: float


def find_evidence(text: str) -> list[Evidence]:
    """Every outlet cue in a page, with its line number."""
    found: list[Evidence] = []
    for i, line in enumerate(split_lines(text)):
        stripped = line.strip()
        if not stripped:
            continue
        for pat in PATTERNS:
            for m in pat.regex.finditer(stripped):
                name = m.group("name").strip(" .,’'")
                if name and name.split()[0].casefold() not in _NOT_NAMES:
                    found.append(Evidence(i, pat.name, name, pat.weight))
        for m in _EMAIL.finditer(stripped):
            domain = m.group("domain")
            if _domain_key(domain) not in _GENERIC_DOMAINS:
                found.append(Evidence(i, "email_domain", domain, 1.0))
    return found


def outlet_records(model, pages: Iterable[dict]) -> list[dict]:
    """``source`` prediction records ``{"doc_id", "outlet"}`` from ``model.predict_labels``."""
    pages = check_pages(pages)
    return [{"doc_id": p["doc_id"], "outlet": o} for p, o in zip(pages, model.predict_labels(pages))]


@baseline("source", "outlet-rule", order=10, default=True,
          caveat="evidence patterns written after reading the gold pages, test page included")
class OutletRule(SaveLoadMixin, ClassifierMixin, BaseEstimator):
    """Outlet from explicit evidence lines; null unless a name gathers ``min_score`` votes."""

    def __init__(self, min_score: float = MIN_SCORE):
        self.min_score = min_score

    def fit(self, pages: Iterable[dict], y: Sequence[str | None] | None = None):
        """Learn spellings and e-mail domains of known outlets from labelled pages."""
        pages = check_pages(pages)
        outlets = list(y) if y is not None else [p.get("outlet") for p in pages]
        if len(outlets) != len(pages):
            raise PresscutError(f"source: {len(pages)} pages but {len(outlets)} outlets")
        self.aliases_: dict[str, str] = {}
        for page, outlet in zip(pages, outlets):
            if not outlet:
                continue
            self.aliases_[_key(outlet)] = outlet
            for ev in find_evidence(text_of(page, "text")):
                if ev.kind == "email_domain":
                    self.aliases_[_domain_key(ev.name)] = outlet
        return self

    def _canonical(self, name: str) -> str:
        return getattr(self, "aliases_", {}).get(_key(name), name)

    def explain(self, page: dict) -> tuple[str | None, list[Evidence]]:
        """The predicted outlet and the evidence that supports it."""
        evidence = find_evidence(text_of(page, "text"))
        aliases = getattr(self, "aliases_", {})
        # votes are keyed by the matching key, so "Independent readers" backs "The Independent"
        votes: dict[str, float] = defaultdict(float)
        support: dict[str, list[Evidence]] = defaultdict(list)
        display: dict[str, tuple[float, str]] = {}
        for ev in evidence:
            if ev.kind == "email_domain":
                continue
            key = _key(self._canonical(ev.name))
            votes[key] += ev.weight + (1.0 if key in aliases and not support[key] else 0.0)
            support[key].append(ev)
            # show the name as the strongest cue wrote it (or as the labels spell it)
            if key not in display or ev.weight > display[key][0]:
                display[key] = (ev.weight, self._canonical(ev.name))
        for ev in evidence:
            if ev.kind != "email_domain":
                continue
            label = _domain_key(ev.name)
            if label in aliases:  # a domain seen with a labelled outlet
                key = _key(aliases[label])
                display.setdefault(key, (0.0, aliases[label]))
            else:  # otherwise it backs a named candidate that contains its label
                hits = [k for k in votes if label in k.replace(" ", "")]
                if not hits:
                    continue
                key = hits[0]
            votes[key] += ev.weight
            support[key].append(ev)
        if not votes:
            return None, []
        # highest vote wins; ties go to the name seen first on the page
        first = {k: min(ev.line for ev in support[k]) for k in votes}
        best = max(votes, key=lambda k: (votes[k], -first[k]))
        evidence_lines = sorted(support[best], key=lambda ev: ev.line)
        if votes[best] < self.min_score:
            return None, evidence_lines
        return display[best][1], evidence_lines

    def predict_labels(self, pages: Iterable[dict]) -> list[str | None]:
        return [self.explain(p)[0] for p in check_pages(pages)]

    def predict(self, pages: Iterable[dict]) -> list[dict]:
        return outlet_records(self, pages)


@baseline("source", "char-ngram", order=20, trains=True)
class CharNgramOutlet(SaveLoadMixin, ClassifierMixin, BaseEstimator):
    """Character 2–4-gram TF-IDF + logistic regression; null below ``min_proba``.

    Pages labelled with no outlet are learned as their own class, so the model can
    also say "this page does not show its outlet".
    """

    def __init__(self, min_proba: float = 0.5, C: float = 10.0, max_features: int = 200_000,
                 seed: int = 0):
        self.min_proba = min_proba
        self.C = C
        self.max_features = max_features
        self.seed = seed

    def fit(self, pages: Iterable[dict], y: Sequence[str | None] | None = None):
        pages = check_pages(pages)
        outlets = list(y) if y is not None else [p.get("outlet") for p in pages]
        if len(outlets) != len(pages):
            raise PresscutError(f"source: {len(pages)} pages but {len(outlets)} outlets")
        labels = [o if o else NO_OUTLET for o in outlets]
        if len(set(labels)) < 2:
            raise PresscutError(
                "source: CharNgramOutlet needs pages of at least two outlets "
                f"(or some with no outlet); got {sorted(set(labels))}"
            )
        self.model_ = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                            max_features=self.max_features),
            LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed),
        ).fit([text_of(p, "text") for p in pages], labels)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, pages: Iterable[dict]) -> np.ndarray:
        pages = check_pages(pages)
        if not hasattr(self, "model_"):
            raise PresscutError("source: the model is not fitted; call fit() or load a saved one")
        if not pages:
            return np.zeros((0, len(self.classes_)))
        return self.model_.predict_proba([text_of(p, "text") for p in pages])

    def predict_labels(self, pages: Iterable[dict]) -> list[str | None]:
        pages = check_pages(pages)
        out: list[str | None] = []
        for row in self.predict_proba(pages):
            k = int(np.argmax(row))
            label = str(self.classes_[k])
            out.append(None if label == NO_OUTLET or row[k] < self.min_proba else label)
        return out

    def predict(self, pages: Iterable[dict]) -> list[dict]:
        return outlet_records(self, pages)


def score_outlets(gold: Sequence[str | None], pred: Sequence[str | None]) -> dict:
    """Accuracy and macro-F1 with "no outlet" as a class of its own."""
    g = [o or NO_OUTLET for o in gold]
    p = [o or NO_OUTLET for o in pred]
    return {
        "accuracy": accuracy(g, p),
        "macro_f1": macro_f1(g, p),
    }
