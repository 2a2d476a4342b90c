"""Stance baselines (FNC-1 style): does a body agree with, dispute, discuss, or not relate to a headline?

Input pairs ``{"pair_id", "headline", "body"}``; labels from ``schema.STANCES``;
output ``{"pair_id", "stance"}``. :class:`FeatureStance` follows the FNC-1 official
baseline: TF-IDF cosine and word/n-gram overlap (related or not?), refuting and
hedging word counts and polarity (which stance?), fed to gradient boosting (or a
logistic regression). :class:`AlwaysUnrelated` is the majority-class floor.

:func:`run_fnc1` trains and scores on FNC-1 rows (headline, body, stance), e.g. the
records ``presscut import fnc1`` writes (:mod:`presscut.builder.fnc1` reads the original files).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from presscut.baselines.article_dedup import normalise
from presscut.baselines.estimator_io import SaveLoadMixin, check_records, text_of
from presscut.baselines.registry import baseline
from presscut.errors import PresscutError
from presscut.harness.metrics import accuracy, fnc_points, macro_f1
from presscut.schema import STANCES

PAIR_FIELDS = ("pair_id", "headline", "body")

# Word lists of the FNC-1 official baseline (refuting) and the hedging cues
# commonly added to it; kept as data so a reader can see what the model looks at.
REFUTING_WORDS = frozenset(
    "fake fraud hoax false deny denies denied refute refutes refuted not despite nope doubt "
    "doubts bogus debunk debunked pranks retract retracted baseless".split()
)
HEDGING_WORDS = frozenset(
    "allege alleged allegedly apparently appear appears claim claims claimed could evidently "
    "likely may maybe might perhaps possibly presumably probably purported purportedly "
    "reported reportedly rumor rumour rumors rumours rumored rumoured unconfirmed "
    "unverified suggest suggests speculation".split()
)
AGREEING_WORDS = frozenset(
    "confirm confirms confirmed confirmation official officially verified announced "
    "indeed proved proven true".split()
)
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


def check_pairs(pairs: Iterable[dict]) -> list[dict]:
    return check_records(pairs, PAIR_FIELDS, "pair_id", "stance pair")


def check_labels(labels: Iterable, n: int) -> list[str]:
    labels = list(labels)
    if len(labels) != n:
        raise PresscutError(f"stance: {n} pairs but {len(labels)} labels")
    bad = [f"label {i}: {lab!r} is not one of {list(STANCES)}"
           for i, lab in enumerate(labels) if lab not in STANCES]
    if bad:
        raise PresscutError(f"stance: {len(bad)} unknown label(s)", bad)
    return labels


def _ngrams(toks: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def _char_grams(text: str, n: int = 4) -> set[str]:
    text = " ".join(tokens(text))
    return {text[i : i + n] for i in range(len(text) - n + 1)}


@lru_cache(maxsize=4096)
def _body_stats(body: str):
    """What the features need from a body; cached, as FNC-1 pairs each body with ~30 headlines."""
    b = tokens(body)
    lead = tokens(body[:255])
    return (len(b), frozenset(b), frozenset(lead), frozenset(_ngrams(b, 2)),
            frozenset(_ngrams(b, 3)), frozenset(_char_grams(body)),
            sum(t in REFUTING_WORDS for t in b), sum(t in HEDGING_WORDS for t in b),
            sum(t in AGREEING_WORDS for t in b), sum(t in REFUTING_WORDS for t in lead))


def hand_features(headline: str, body: str) -> list[float]:
    """Overlap, cue-word and polarity features for one pair (no learned state)."""
    h = tokens(headline)
    hs = set(h)
    n_b, bs, lead, b2, b3, bc, b_ref, b_hedge, b_agree, lead_ref = _body_stats(body)
    per100 = 100.0 / max(n_b, 1)
    h_ref = sum(t in REFUTING_WORDS for t in h)
    h_hedge = sum(t in HEDGING_WORDS for t in h)
    feats = [
        len(hs & bs) / max(len(hs | bs), 1),  # word Jaccard
        len(hs & bs) / max(len(hs), 1),  # share of headline words found in the body
        len(hs & lead) / max(len(hs), 1),  # ... in the body's opening
    ]
    for n, grams in ((2, b2), (3, b3)):
        hg = _ngrams(h, n)
        feats.append(len(hg & grams) / max(len(hg), 1))
    hc = _char_grams(headline)
    feats.append(len(hc & bc) / max(len(hc), 1))
    feats += [
        float(h_ref),
        b_ref * per100,
        float(h_hedge),
        b_hedge * per100,
        b_agree * per100,
        float(h_ref % 2),  # polarity as in the FNC-1 baseline: parity of refuting words
        float(b_ref % 2),
        float(lead_ref),
        math.log1p(len(h)),
        math.log1p(n_b),
    ]
    return feats


class _PairClassifier(SaveLoadMixin, ClassifierMixin, BaseEstimator):
    def predict(self, pairs: Iterable[dict]) -> list[dict]:
        """``stance`` prediction records ``{"pair_id", "stance"}``."""
        pairs = check_pairs(pairs)
        return [{"pair_id": p["pair_id"], "stance": s}
                for p, s in zip(pairs, self.predict_labels(pairs))]


@baseline("stance", "always-unrelated", order=10,
          benchmarks={"fnc1": {"about": "majority-class floor"}})
class AlwaysUnrelated(_PairClassifier):
    """Every pair is ``unrelated`` (FNC-1's majority class, ~73 % of its pairs)."""

    def fit(self, pairs, y=None):
        check_pairs(pairs)
        self.classes_ = np.array(STANCES)
        return self

    def predict_labels(self, pairs) -> list[str]:
        return ["unrelated"] * len(check_pairs(pairs))


@baseline("stance", "features-gbdt", order=30, trains=True, params={"classifier": "gbdt"},
          benchmarks={"fnc1": {"about": "presscut's FeatureStance (TF-IDF cosine, overlap, "
                                        "cue words) + GBDT"}})
@baseline("stance", "features-logreg", order=20, trains=True, params={"classifier": "logreg"})
class FeatureStance(_PairClassifier):
    """FNC-1 baseline features + gradient boosting (``classifier="gbdt"``) or logistic regression."""

    def __init__(
        self,
        classifier: str = "gbdt",
        n_estimators: int = 200,
        max_features: int = 5000,
        C: float = 1.0,
        seed: int = 0,
    ):
        self.classifier = classifier
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.C = C
        self.seed = seed

    def _features(self, pairs: list[dict]) -> np.ndarray:
        heads = [text_of(p, "headline") for p in pairs]
        bodies = [text_of(p, "body") for p in pairs]
        hv = self.vectorizer_.transform(heads)
        bv = self.vectorizer_.transform(bodies)
        # rows are L2-normalised, so the row-wise dot product is the cosine
        cosine = np.asarray(hv.multiply(bv).sum(axis=1)).ravel()
        hand = np.array([hand_features(h, b) for h, b in zip(heads, bodies)], dtype=float)
        return np.column_stack([cosine, hand])

    def fit(self, pairs, y=None):
        pairs = check_pairs(pairs)
        if y is None:
            y = [p.get("stance") for p in pairs]
        labels = check_labels(y, len(pairs))
        if len(set(labels)) < 2:
            raise PresscutError(f"stance: training needs at least two stances, got {sorted(set(labels))}")
        self.vectorizer_ = TfidfVectorizer(
            max_features=self.max_features, stop_words="english", sublinear_tf=True
        )
        self.vectorizer_.fit(
            [text_of(p, "headline") for p in pairs] + [text_of(p, "body") for p in pairs]
        )
        if self.classifier == "gbdt":
            model = GradientBoostingClassifier(n_estimators=self.n_estimators, random_state=self.seed)
        elif self.classifier == "logreg":
            model = make_pipeline(
                StandardScaler(),
                LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed),
            )
        else:
            raise PresscutError(f"stance: classifier must be 'gbdt' or 'logreg', got {self.classifier!r}")
        self.model_ = model.fit(self._features(pairs), labels)
        self.classes_ = np.array(self.model_.classes_)
        return self

    def predict_labels(self, pairs) -> list[str]:
        pairs = check_pairs(pairs)
        if not hasattr(self, "model_"):
            raise PresscutError("stance: the model is not fitted; call fit() or load a saved one")
        if not pairs:
            return []
        return [str(s) for s in self.model_.predict(self._features(pairs))]


# ------------------------------------------------------------------- scoring
def fnc1_score(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float]:
    """FNC-1 weighted score and its maximum (the harness's per-pair points, summed)."""
    points = [fnc_points(g, p) for g, p in zip(gold, pred, strict=True)]
    return sum(e for e, _ in points), sum(m for _, m in points)


# ----------------------------------------------------------------------- FNC-1
def fnc1_pairs(rows: Iterable[dict]) -> tuple[list[dict], list[str]]:
    """FNC-1 rows → stance pairs and labels.

    Takes presscut stance rows (``presscut import fnc1`` output or ``splits/stance``,
    stance as a name or a ClassLabel id) or rows with FNC-1's own column names.
    """
    pairs, labels, problems = [], [], []
    for i, row in enumerate(rows):
        headline = row.get("headline", row.get("Headline"))
        body = row.get("body", row.get("articleBody"))
        stance = row.get("stance", row.get("Stance"))
        if isinstance(stance, int) and not isinstance(stance, bool) and 0 <= stance < len(STANCES):
            stance = STANCES[stance]  # a ClassLabel id, as the Parquet stance rows store it
        if not isinstance(headline, str) or not isinstance(body, str):
            problems.append(f"row {i}: needs text 'headline' and 'body'")
            continue
        if stance not in STANCES:
            problems.append(f"row {i}: stance {stance!r} is not one of {list(STANCES)}")
            continue
        pair_id = row.get("pair_id") or f"fnc1-{i}"
        pairs.append({"pair_id": str(pair_id), "headline": headline, "body": body})
        labels.append(stance)
    if problems:
        raise PresscutError(f"FNC-1 rows: {len(problems)} problem(s)", problems)
    return pairs, labels


def score_stances(gold: Sequence[str], pred: Sequence[str]) -> dict:
    score, best = fnc1_score(gold, pred)
    return {
        "fnc1_score": score,
        "fnc1_max": best,
        "fnc1_relative": score / best if best else 0.0,
        "macro_f1": macro_f1(gold, pred),
        "accuracy": accuracy(gold, pred),
    }


def run_fnc1(train_rows: Iterable[dict], test_rows: Iterable[dict], estimator=None) -> dict:
    """Train on FNC-1 rows, predict the test rows, score both the model and AlwaysUnrelated."""
    train_pairs, train_labels = fnc1_pairs(train_rows)
    test_pairs, test_labels = fnc1_pairs(test_rows)
    model = estimator if estimator is not None else FeatureStance()
    pred = model.fit(train_pairs, train_labels).predict_labels(test_pairs)
    floor = AlwaysUnrelated().fit(train_pairs).predict_labels(test_pairs)
    return {
        "n_train": len(train_pairs),
        "n_test": len(test_pairs),
        "model": model.config(),
        "scores": score_stances(test_labels, pred),
        "always_unrelated": score_stances(test_labels, floor),
        "predictions": [{"pair_id": p["pair_id"], "stance": s} for p, s in zip(test_pairs, pred)],
    }
