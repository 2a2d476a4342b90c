"""A learned line classifier with a decoding step that keeps roles and articles consistent.

Each non-blank line is described by the plain-text cues of itself and its non-blank
neighbours, the rule segmenter's verdict (stacking: the rules encode what we know, the
model learns when to overrule them), and hashed character n-grams of the line and its
neighbours. Two logistic-loss linear models predict the role and whether the line starts an
article. Decoding: article starts are lines whose start probability passes
``start_threshold`` (the first content line when none does), a start line takes its
most likely article role, and article roles outside every article become boilerplate.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier

from presscut.baselines.registry import baseline
from presscut.baselines.segment_common import Baseline, as_pages, consistent_record
from presscut.baselines.segment_cues import LineCues, line_cues
from presscut.baselines.segment_rules import KINDS, RuleSegmenter
from presscut.errors import PresscutError
from presscut.schema import ARTICLE_ROLES, ROLES, SCORED_ROLES, is_blank

_RULE_ROLES = SCORED_ROLES
_BOOL_CUES = ("terminal", "digits_only", "widget", "appeal_opener", "first_person", "date",
              "byline", "name_like", "caption", "credit_token", "first_copy", "near_neighbour", "starts_lower")


def _cue_vector(c: LineCues) -> list[float]:
    return [
        math.log1p(c.n_chars) / 6, math.log1p(c.n_words) / 4, c.stop_density, c.cap_ratio,
        min(c.repeats, 3) / 3, c.position, min(c.blank_before, 3) / 3,
        min(c.blank_after, 3) / 3,
        *(float(getattr(c, name)) for name in _BOOL_CUES),
    ]


_N_CUES = len(_cue_vector(LineCues()))


@baseline("segmentation", "seg-learned", order=50, trains=True,
          caveat="line features designed after reading all five gold pages: not fully held out")
class LearnedSegmenter(Baseline):
    """Logistic-loss linear models over cues, rule verdicts and hashed char n-grams."""

    name = "seg-learned"
    _fitted_attrs = ("role_model_", "start_model_")

    def __init__(self, classifier: str = "sgd", alpha: float = 1e-5, C: float = 1.0,
                 n_features: int = 2**16, ngram_range=(2, 4), start_threshold: float = 0.5,
                 max_iter: int = 1000, random_state: int = 0):
        self.classifier = classifier
        self.alpha = alpha
        self.C = C
        self.n_features = n_features
        self.ngram_range = ngram_range
        self.start_threshold = start_threshold
        self.max_iter = max_iter
        self.random_state = random_state

    # ------------------------------------------------------------ features
    def _hasher(self, n_features: int) -> HashingVectorizer:
        # Stateless, so a loaded model rebuilds the exact same features.
        return HashingVectorizer(analyzer="char_wb", ngram_range=tuple(self.ngram_range),
                                 n_features=n_features, alternate_sign=False,
                                 norm="l2", lowercase=True)

    def _dense(self, page: dict) -> tuple[list[int], list[list[float]], list[str]]:
        """Non-blank line numbers, their cue/rule rows, and their stripped texts."""
        lines = page["lines"]
        cues = line_cues(lines)
        rules = RuleSegmenter()
        rule_rec = rules.predict_page(page, cues)
        rule_starts = {s for s, _ in rule_rec["articles"]}
        kinds = rules.line_kinds(cues)
        content = [i for i in range(len(lines)) if not is_blank(lines[i])]
        dense = []
        for r, i in enumerate(content):
            prev = content[r - 1] if r > 0 else None
            nxt = content[r + 1] if r + 1 < len(content) else None
            row = _cue_vector(cues[i])
            for j in (prev, nxt):
                row += _cue_vector(cues[j]) if j is not None else [0.0] * _N_CUES
            row += [float(rule_rec["roles"][i] == role) for role in _RULE_ROLES]
            row += [float(kinds[i] == k) for k in KINDS]
            row += [float(i in rule_starts), float(r == 0), float(nxt is None)]
            for j in (prev, nxt):
                row += [float(j is not None and rule_rec["roles"][j] == role)
                        for role in _RULE_ROLES]
            dense.append(row)
        return content, dense, [lines[i].strip() for i in content]

    def _features(self, pages: list[dict]) -> tuple[list[list[int]], sparse.csr_matrix]:
        """Per page its non-blank line numbers; one feature row per such line, in order.

        Hashing runs once over all pages: per-call overhead dominated per-page hashing.
        """
        contents, dense, texts, prev_t, next_t = [], [], [], [], []
        for page in pages:
            content, rows, tx = self._dense(page)
            contents.append(content)
            dense += rows
            texts += tx
            if tx:
                prev_t += [""] + tx[:-1]
                next_t += tx[1:] + [""]
        if not texts:
            return contents, sparse.csr_matrix((0, 0))
        small = max(2**10, self.n_features // 4)
        mats = [sparse.csr_matrix(np.asarray(dense, dtype=np.float64)),
                self._hasher(self.n_features).transform(texts),
                self._hasher(small).transform(prev_t),
                self._hasher(small).transform(next_t)]
        return contents, sparse.hstack(mats, format="csr")

    # ------------------------------------------------------------ fit / predict
    def _classifier(self, balanced: bool):
        """Logistic loss either way; ``sgd`` trains in seconds on ~10^5 lines x 10^5
        hashed features, ``logreg`` (saga, exact optimum) takes minutes there."""
        weight = "balanced" if balanced else None
        if self.classifier == "sgd":
            return SGDClassifier(loss="log_loss", alpha=self.alpha, max_iter=self.max_iter,
                                 tol=1e-4, class_weight=weight, random_state=self.random_state)
        if self.classifier == "logreg":
            # saga: single-threaded; lbfgs's multi-threaded BLAS thrashes on a busy machine.
            return LogisticRegression(C=self.C, solver="saga", max_iter=self.max_iter,
                                      class_weight=weight, random_state=self.random_state)
        raise PresscutError(f"seg-learned: classifier must be 'sgd' or 'logreg', "
                            f"got {self.classifier!r}")

    def fit(self, X, y=None):  # noqa: ARG002 - labels travel with the pages
        pages = as_pages(X, need_labels=True)
        contents, Xm = self._features(pages)
        role_y = [p["roles"][i] for p, c in zip(pages, contents) for i in c]
        start_y = [int(i in {s for s, _ in p["articles"]}) for p, c in zip(pages, contents)
                   for i in c]
        if not role_y:
            raise PresscutError("seg-learned: no labelled non-blank lines to train on")
        if len(set(role_y)) < 2 or len(set(start_y)) < 2:
            raise PresscutError("seg-learned: training pages need at least two roles and "
                                "at least one article start and one non-start line")
        self.role_model_ = self._classifier(balanced=True).fit(Xm, role_y)
        self.start_model_ = self._classifier(balanced=False).fit(Xm, start_y)
        return self

    def predict_page(self, page: dict) -> dict:
        return self.predict([page])[0]

    def predict(self, X) -> list[dict]:
        if not hasattr(self, "role_model_"):
            raise PresscutError("seg-learned: call fit (or load a fitted model) before predict")
        pages = as_pages(X)
        out: list[dict] = []
        # Batches bound memory on big corpora and keep hashing calls few.
        for b in range(0, len(pages), 512):
            batch = pages[b:b + 512]
            contents, feats = self._features(batch)
            role_p = self.role_model_.predict_proba(feats) if feats.shape[0] else None
            start_p = self.start_model_.predict_proba(feats) if feats.shape[0] else None
            row = 0
            for page, content in zip(batch, contents):
                k = len(content)
                out.append(self._decode(page, content, role_p[row:row + k] if k else None,
                                        start_p[row:row + k] if k else None))
                row += k
        return out

    def _decode(self, page: dict, content: list[int], role_p, start_p) -> dict:
        lines = page["lines"]
        roles = ["blank"] * len(lines)
        if not content:
            return consistent_record(page["doc_id"], lines, roles, [])
        classes = list(self.role_model_.classes_)
        start_p = start_p[:, list(self.start_model_.classes_).index(1)]
        art_cols = [c for c, name in enumerate(classes) if name in ARTICLE_ROLES]
        for r, i in enumerate(content):
            roles[i] = classes[int(np.argmax(role_p[r]))]
        starts = [i for r, i in enumerate(content) if start_p[r] >= self.start_threshold]
        if not starts:
            inside = [i for i in content if roles[i] in ARTICLE_ROLES]
            starts = inside[:1]
        # A start line must carry an article role: take its most likely one.
        pos = {i: r for r, i in enumerate(content)}
        for s in starts:
            if roles[s] not in ARTICLE_ROLES and art_cols:
                best = max(art_cols, key=lambda c: role_p[pos[s], c])
                roles[s] = classes[best]
        return consistent_record(page["doc_id"], lines, roles, starts)


assert set(_RULE_ROLES) <= set(ROLES)
