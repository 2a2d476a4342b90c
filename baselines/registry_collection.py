"""Baselines for the collection and secondary tasks, by task name and baseline name.

``REGISTRY[task][name]`` is a factory (keyword parameters → unfitted estimator).
Segmentation and line dedup live in ``baselines/registry.py``; the two merge into
one table. Default thresholds are starting points; pick real ones with
``baselines.article_dedup.tune`` on validation articles.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from presscut.baselines.article_dedup import ExactHashDedup, MinHashLSHDedup, TfidfAgglomerative
from presscut.baselines.source import CharNgramOutlet, OutletRule
from presscut.baselines.stance import AlwaysUnrelated, FeatureStance
from presscut.errors import PresscutError


def _neural_story(**params):
    from presscut.baselines.neural import (
        EmbeddingAgglomerative,  # lazy: the neural extra is optional
    )

    return EmbeddingAgglomerative(**params)


def _neural_stance(**params):
    from presscut.baselines.neural import EmbeddingStance

    return EmbeddingStance(**params)


REGISTRY: dict[str, dict[str, Callable]] = {
    "article_dedup": {
        "exact-hash": ExactHashDedup,
        "minhash-lsh": MinHashLSHDedup,
        "tfidf-agglomerative": partial(
            TfidfAgglomerative, distance_threshold=0.2, output="dup_cluster"
        ),
    },
    "story_clustering": {
        "tfidf-agglomerative": partial(
            TfidfAgglomerative, distance_threshold=0.8, output="story_cluster"
        ),
        "minilm-agglomerative": partial(_neural_story, output="story_cluster"),
    },
    "stance": {
        "always-unrelated": AlwaysUnrelated,
        "features-gbdt": partial(FeatureStance, classifier="gbdt"),
        "features-logreg": partial(FeatureStance, classifier="logreg"),
        "minilm-logreg": _neural_stance,
    },
    "source": {
        "outlet-rule": OutletRule,
        "char-ngram": CharNgramOutlet,
    },
}
# Baselines that need the optional ``presscut[neural]`` extra
NEEDS_NEURAL = {("story_clustering", "minilm-agglomerative"), ("stance", "minilm-logreg")}


def make(task: str, name: str, **params):
    """An unfitted baseline; unknown task or name is an error listing the choices."""
    if task not in REGISTRY:
        raise PresscutError(f"no collection baselines for task {task!r}; tasks: {sorted(REGISTRY)}")
    if name not in REGISTRY[task]:
        raise PresscutError(
            f"no baseline {name!r} for task {task!r}; choose one of {sorted(REGISTRY[task])}"
        )
    return REGISTRY[task][name](**params)


# Threshold grids for ``article_dedup.tune``; strictest first, since ties go to the first.
TUNE_GRIDS: dict[tuple[str, str], list[float]] = {
    ("article_dedup", "minhash-lsh"): [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
    ("article_dedup", "tfidf-agglomerative"): [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
    ("story_clustering", "tfidf-agglomerative"): [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    ("story_clustering", "minilm-agglomerative"): [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
}


FIT_SPLITS = ("train", "validation")


def prepare(task: str, name: str, root=None, **params):
    """A baseline ready to predict: tuned or trained on non-test data only.

    Collection tasks are scored over the whole gold collection, so their thresholds
    are tuned on the *synthetic* validation split (left at the defaults when it is
    not built). Stance and source models are fitted on the gold train and validation splits.
    """
    from presscut.baselines.article_dedup import tune
    from presscut.baselines.collection_data import read_articles, read_pages, read_stance_pairs

    est = make(task, name, **params)
    if task in ("article_dedup", "story_clustering"):
        grid = TUNE_GRIDS.get((task, name))
        if grid is None:
            return est.fit([])
        try:
            arts, dup, story = read_articles(root, data="synthetic", splits=("validation",))
        except PresscutError:
            return est.fit([])
        return tune(est, arts, dup if task == "article_dedup" else story, grid).estimator
    # no hyperparameter of these is tuned, and the gold set is tiny: validation joins train
    if task == "stance":
        pairs, labels = read_stance_pairs(root, FIT_SPLITS)
        return est.fit(pairs, labels)
    if task == "source":
        pages, outlets = read_pages(root, FIT_SPLITS)
        return est.fit(pages, outlets)
    return est
