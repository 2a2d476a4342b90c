"""fnc1-blend: the FNC-1 stack (:mod:`presscut.baselines.stance_stack`) made leak-free out
of fold, with its MLP stage averaged over seeds and its output blended with that MLP.

Three changes to the stack, each after a published FNC-1 system:

- out of fold means out of fold for the unsupervised parts too: each fold's bag-of-words
  vocabulary and TF-IDF weights are fitted on that fold's training texts, so the MLP
  probabilities the boosting stage learns from are those of a model that never saw the
  left-out stories' words (fnc1-topics, on branch ``fnc3``, fitted its topic spaces on
  every training text and collapsed on the test's new claims);
- the MLP stage is the mean of ``mlp_seeds`` seeded MLPs (UCL's single MLP moves by about a
  point with its seed; the mean moves less);
- the final probabilities are ``blend`` × boosting + (1 − ``blend``) × MLP mean (SOLAT's
  50/50 average of a neural model and GBDT won FNC-1); ``blend`` and the class weights are
  tuned together on a hold-out.

Tuned on the story-disjoint hold-out (:func:`presscut.baselines.fnc1_bench.story_holdout`),
never on the official one, whose headlines all appear in train.

Measured (``presscut baselines fnc1 PATH --stance fnc1-blend``, one test scoring): 81.04 %
FNC, macro-F1 0.584 on the competition test (fnc1-stack: 80.41 %, 0.598); tuned blend
0.75, class weights (1.5, 2, 1, 1). The goal (82.1 %, macro-F1 0.62) is not reached; its
disagree F1 (0.054) is below the stack's (0.137). MiniLM sentence similarities were
tried and dropped: the NumPy encoder ran at about 7 sentences/s on the shared machine,
and FNC-1's bodies hold 45k distinct sentences.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from presscut.baselines.estimator_io import text_of
from presscut.baselines.registry import baseline
from presscut.baselines.stance import check_labels, check_pairs
from presscut.baselines.stance_stack import (
    WEIGHT_GRID,
    StackStance,
    _BowBlock,
    dense_features,
    training_input,
    weighted_labels,
    weighted_objective,
)
from presscut.errors import PresscutError
from presscut.schema import STANCES

BLEND_GRID = (1.0, 0.75, 0.5, 0.25)
# what the gold board says of a model built for FNC-1's size (this one and its variants)
FNC1_SIZED = ("built for FNC-1's 50k training pairs: fitted on 30 gold pairs its boosting "
              "stage has too few rows per leaf")


@baseline("stance", "fnc1-blend", order=55, trains=True,
          caveat=FNC1_SIZED,
          benchmarks={"fnc1": {
              "about": "fnc1-stack with its bag-of-words fitted per fold (leak-free out-of-"
                       "fold MLP probabilities), the MLP averaged over seeds and blended "
                       "with the GBDT; blend and class weights tuned on the story-disjoint "
                       "hold-out, then fitted again on train + validation. Scored once: "
                       "81.04 % FNC, macro-F1 0.584 - short of the goal (82.1 %, 0.62) by "
                       "1.06 points and 0.036; disagree F1 fell to 0.054 (the story hold-out "
                       "holds few disagree pairs and chose a lighter disagree weight than "
                       "the official one did for fnc1-stack)",
              "groups": "story", "tune_on": "story"}})
class BlendStance(StackStance):
    """:class:`StackStance` with per-fold bag-of-words, seed-averaged MLPs and a tuned
    blend of the boosting and MLP probabilities (see module)."""

    def __init__(self, vocabulary: int = 5000, hidden: int = 100, mlp_alpha: float = 1e-2,
                 mlp_epochs: int = 10, folds: int = 3, gbdt_iter: int = 300,
                 learning_rate: float = 0.1, class_weight: Sequence[float] | None = None,
                 seed: int = 0, mlp_seeds: int = 3, blend: float = 1.0):
        super().__init__(vocabulary=vocabulary, hidden=hidden, mlp_alpha=mlp_alpha,
                         mlp_epochs=mlp_epochs, folds=folds, gbdt_iter=gbdt_iter,
                         learning_rate=learning_rate, class_weight=class_weight, seed=seed)
        self.mlp_seeds = mlp_seeds
        self.blend = blend

    def _seeds(self) -> list[int]:
        if self.mlp_seeds < 1:
            raise PresscutError(f"stance: mlp_seeds must be >= 1, got {self.mlp_seeds}")
        return [self.seed + k for k in range(self.mlp_seeds)]

    def _fit_stage1(self, heads, bodies, labels):
        bow = _BowBlock(self.vocabulary, self.seed).fit(heads, bodies)
        X = bow.transform(heads, bodies)
        return bow, [self._fit_mlp(X, labels, s) for s in self._seeds()]

    def _stage1_proba(self, bow, mlps, heads, bodies) -> np.ndarray:
        return self._mlp_proba(mlps, bow.transform(heads, bodies))

    # a variant adds learned pair features to the boosting stage (stance_sentences)
    def _fit_dense(self, heads: list[str], bodies: list[str]) -> None:
        pass

    def _dense(self, heads: list[str], bodies: list[str]) -> np.ndarray:
        return dense_features(heads, bodies)

    def fit(self, pairs, y=None, groups: Sequence | None = None):
        if not 0.0 <= self.blend <= 1.0:
            raise PresscutError(f"stance: blend must be in [0, 1], got {self.blend}")
        pairs, labels, heads, bodies = training_input(pairs, y)
        groups = np.asarray(groups if groups is not None else bodies)
        n_folds = min(self.folds, len(set(groups.tolist())))
        if n_folds < 2:
            raise PresscutError("stance: out-of-fold probabilities need at least two groups")
        oof = np.zeros((len(pairs), len(STANCES)))
        for train, held in GroupKFold(n_splits=n_folds).split(heads, labels, groups):
            bow, mlps = self._fit_stage1([heads[i] for i in train], [bodies[i] for i in train],
                                         labels[train])
            oof[held] = self._stage1_proba(bow, mlps, [heads[i] for i in held],
                                           [bodies[i] for i in held])
        self.bow_, self.mlps_ = self._fit_stage1(heads, bodies, labels)
        self._fit_dense(heads, bodies)
        Z = np.hstack([oof, self._dense(heads, bodies)])
        self.gbdt_ = HistGradientBoostingClassifier(
            max_iter=self.gbdt_iter, learning_rate=self.learning_rate, random_state=self.seed,
            early_stopping=False).fit(Z, labels)
        self.classes_ = np.array(self.gbdt_.classes_)
        return self

    def _parts(self, pairs) -> tuple[np.ndarray, np.ndarray]:
        """(boosting, MLP-mean) probabilities in ``schema.STANCES`` order."""
        pairs = check_pairs(pairs)
        if not hasattr(self, "gbdt_"):
            raise PresscutError("stance: the model is not fitted; call fit() or load a saved one")
        heads = [text_of(p, "headline") for p in pairs]
        bodies = [text_of(p, "body") for p in pairs]
        mlp = self._stage1_proba(self.bow_, self.mlps_, heads, bodies)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gbdt = self._proba(self.gbdt_, np.hstack([mlp, self._dense(heads, bodies)]))
        return gbdt, mlp

    def predict_proba(self, pairs) -> np.ndarray:
        """Blended class probabilities in ``schema.STANCES`` order (before ``class_weight``)."""
        gbdt, mlp = self._parts(pairs)
        return self.blend * gbdt + (1.0 - self.blend) * mlp

    def tuning_parts(self, pairs) -> tuple[np.ndarray, np.ndarray]:
        """What :meth:`tune` chooses from, for ``pairs``: the parts of several fitted models
        (one per fold, each on its own held pairs) can be stacked and tuned on together."""
        return self._parts(pairs)

    def labels_from_parts(self, parts: tuple[np.ndarray, np.ndarray]) -> list[str]:
        """The labels this model's ``blend`` and ``class_weight`` give to ``parts``."""
        gbdt, mlp = parts
        return weighted_labels(self.blend * gbdt + (1.0 - self.blend) * mlp, self.class_weight)

    def tune(self, pairs, labels, weights: Sequence[float] | None = None,
             parts: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
        """Choose ``blend`` and ``class_weight`` together on held-out pairs: the best mean of
        FNC score and macro-F1 (pairs weighted by ``weights``); ties keep the first of
        :data:`BLEND_GRID` × ``WEIGHT_GRID`` (boosting alone, the least reweighting).
        ``parts`` (from :meth:`tuning_parts`, possibly of other fitted models) stand in for
        this model's own on ``pairs``, which may then be None."""
        gbdt, mlp = parts if parts is not None else self._parts(pairs)
        labels = check_labels(labels, len(gbdt))
        scored = []
        for b in BLEND_GRID:
            proba = b * gbdt + (1.0 - b) * mlp
            for w in WEIGHT_GRID:
                pred = weighted_labels(proba, w)
                scored.append(((b, tuple(w)), weighted_objective(labels, pred, weights)))
        (blend, w), _ = max(scored, key=lambda g: g[1])
        self.set_params(blend=blend, class_weight=list(w))
        return {"param": "blend, class_weight", "objective": "mean of FNC score and macro-F1",
                "best": {"blend": blend, "class_weight": list(w)},
                "grid": [[b, list(w), v] for (b, w), v in scored]}
