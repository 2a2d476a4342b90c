"""Collection baselines for article dedup and story clustering.

Input: article dicts ``{"article_id", "title", "body"}`` for the whole collection
(these tasks are scored over all gold articles at once). Output: one record per
article, ``{"article_id", "dup_cluster"}`` or ``{"article_id", "story_cluster"}``.

Three systems, from strict to loose:
- :class:`ExactHashDedup` — same normalised body text, same cluster;
- :class:`MinHashLSHDedup` — word-shingle Jaccard estimated with MinHash, candidate
  pairs from LSH banding, each pair verified by its estimated Jaccard, clusters are
  the connected components (the NEWS-COPY baseline recipe);
- :class:`TfidfAgglomerative` — TF-IDF cosine with average-linkage clustering cut
  at a distance threshold: tight for duplicates, loose for stories.

Clusters are named after their first member in input order, so output is stable.
Thresholds come from validation data through :func:`tune`, never from test.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rich.progress import Progress
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer

from presscut.baselines.estimator_io import SaveLoadMixin, check_records, text_of
from presscut.baselines.registry import baseline
from presscut.errors import PresscutError
from presscut.harness.metrics import pairwise_prf

if TYPE_CHECKING:
    from datasketch import LeanMinHash, MinHashLSH

ARTICLE_FIELDS = ("article_id", "title", "body")
OUTPUT_FIELDS = ("dup_cluster", "story_cluster")

# Scrapes mix curly and straight quotes and dashes for the same text; fold them
# so that two copies differing only in typography hash alike.
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> str:
    """Case-, width- and typography-folded text with whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").translate(_FOLD).casefold()
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def shingles(text: str, k: int) -> set[bytes]:
    """Word k-shingles; a text shorter than k words is one shingle of all its words."""
    toks = words(text)
    if not toks:
        return set()
    if len(toks) < k:
        return {" ".join(toks).encode("utf-8")}
    return {" ".join(toks[i : i + k]).encode("utf-8") for i in range(len(toks) - k + 1)}


def article_text(rec: dict, use_title: bool) -> str:
    body = text_of(rec, "body")
    title = text_of(rec, "title")
    if use_title and title:
        return f"{title}\n{body}"
    # an article whose body is empty is still identified by its title
    return body or title


def check_articles(articles: Iterable[dict]) -> list[dict]:
    return check_records(articles, ARTICLE_FIELDS, "article_id", "article")


def labels_from_components(n: int, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Connected components of the graph with the given edges, as integer labels."""
    if not pairs:
        return np.arange(n)
    rows, cols = zip(*pairs)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def cluster_names(article_ids: Sequence[str], labels: Sequence) -> list[str]:
    """Name every cluster after its first member, so names do not depend on label numbering."""
    first: dict = {}
    for aid, lab in zip(article_ids, labels):
        first.setdefault(lab, aid)
    return [first[lab] for lab in labels]


class _CollectionClusterer(SaveLoadMixin, ClusterMixin, BaseEstimator):
    """Shared ``fit``/``predict``/``predict_labels`` for the transductive clusterers.

    Clustering a collection needs no training: ``fit`` only checks its input and
    returns ``self`` (the estimator API); :func:`tune` is where labels are used.
    """

    output_field = "dup_cluster"
    tune_param = ""

    def fit(self, articles: Iterable[dict], y=None):
        self.n_articles_seen_ = len(check_articles(articles))
        return self

    def predict_labels(self, articles: Iterable[dict]) -> list[str]:
        """Cluster name (an article id) for every article, in input order."""
        arts = check_articles(articles)
        if not arts:
            return []
        labels = self._cluster(arts)
        return cluster_names([a["article_id"] for a in arts], labels)

    def fit_predict(self, articles, y=None):
        return self.fit(articles).predict(articles)

    def predict(self, articles: Iterable[dict], field_name: str | None = None) -> list[dict]:
        """Prediction records ``{"article_id", <field>}``; the field defaults to the task
        the estimator is set up for (``output``)."""
        arts = check_articles(articles)
        field_name = field_name or getattr(self, "output", None) or self.output_field
        if field_name not in OUTPUT_FIELDS:
            raise PresscutError(f"output field must be one of {list(OUTPUT_FIELDS)}, got {field_name!r}")
        return [
            {"article_id": a["article_id"], field_name: c}
            for a, c in zip(arts, self.predict_labels(arts))
        ]

    def _cluster(self, arts: list[dict]) -> Sequence:
        raise NotImplementedError


# --------------------------------------------------------------------- exact
@baseline("article_dedup", "exact-hash", order=10)
class ExactHashDedup(_CollectionClusterer):
    """Articles whose normalised text hashes alike are one duplicate cluster."""

    def __init__(self, use_title: bool = False):
        self.use_title = use_title

    def _cluster(self, arts):
        keys = []
        for i, a in enumerate(arts):
            norm = normalise(article_text(a, self.use_title))
            # empty articles carry no evidence of being copies of each other
            keys.append(hashlib.sha1(norm.encode("utf-8")).hexdigest() if norm else f"#{i}")
        return keys


# ------------------------------------------------------------------- minhash
def make_lsh(threshold: float, num_perm: int, weights=(0.5, 0.5)) -> MinHashLSH:
    # datasketch (and sklearn.cluster below) are imported where used: the registry imports
    # this module for every `presscut predict`, and they cost half a second it never uses
    from datasketch import MinHashLSH

    try:
        return MinHashLSH(threshold=threshold, num_perm=num_perm, weights=tuple(weights))
    except ValueError as err:
        raise PresscutError(
            f"MinHash LSH cannot be set up for threshold {threshold} with {num_perm} "
            f"permutations ({err}); lower the threshold or raise num_perm"
        ) from None


def lsh_bands(threshold: float, num_perm: int, weights=(0.5, 0.5)) -> tuple[int, int]:
    """The (bands b, rows r) datasketch's MinHashLSH picks for this threshold."""
    lsh = make_lsh(threshold, num_perm, weights)
    return lsh.b, lsh.r


def s_curve(b: int, r: int, similarities: Iterable[float] = (0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)):
    """Probability that a pair with Jaccard ``s`` becomes an LSH candidate: 1-(1-s^r)^b."""
    return [(float(s), 1.0 - (1.0 - float(s) ** r) ** b) for s in similarities]


def minhash_stream(
    shingle_sets: Iterable[Iterable[bytes]], num_perm: int, seed: int
) -> Iterator[LeanMinHash | None]:
    """MinHashes the way datasketch's ``MinHash.bulk`` makes them (copies of one initialised
    template), one at a time so shingle sets never pile up; None for an empty set."""
    from datasketch import LeanMinHash, MinHash

    template = MinHash(num_perm=num_perm, seed=seed)
    for sh in shingle_sets:
        if not sh:
            yield None
            continue
        m = template.copy()
        m.update_batch(sh)
        yield LeanMinHash(m)


@baseline("article_dedup", "minhash-lsh", order=20,
          grid=(0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3))
class MinHashLSHDedup(_CollectionClusterer):
    """Near-duplicate clusters from MinHash LSH candidates verified by estimated Jaccard."""

    tune_param = "threshold"

    def __init__(
        self,
        threshold: float = 0.8,
        num_perm: int = 128,
        shingle_k: int = 5,
        seed: int = 1,
        weights: tuple[float, float] = (0.5, 0.5),
        use_title: bool = False,
        progress: bool = False,
    ):
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_k = shingle_k
        self.seed = seed
        self.weights = weights
        self.use_title = use_title
        self.progress = progress

    def lsh_params(self) -> tuple[int, int]:
        return lsh_bands(self.threshold, self.num_perm, self.weights)

    def describe(self) -> str:
        b, r = self.lsh_params()
        curve = ", ".join(f"P({s:.1f})={p:.3f}" for s, p in s_curve(b, r))
        return (
            f"MinHash LSH: threshold {self.threshold}, {self.num_perm} permutations -> "
            f"b={b} bands x r={r} rows; candidate probability 1-(1-s^r)^b: {curve}"
        )

    def signatures(self, arts: list[dict]) -> list[LeanMinHash | None]:
        """One MinHash per article (None for an article with no words)."""
        sets = (shingles(article_text(a, self.use_title), self.shingle_k) for a in arts)
        with Progress(disable=not self.progress, transient=True) as bar:
            task = bar.add_task("MinHash", total=len(arts))
            out = []
            for m in minhash_stream(sets, self.num_perm, self.seed):
                out.append(m)
                bar.advance(task)
        return out

    def candidate_pairs(self, sigs: list[LeanMinHash | None]) -> list[tuple[int, int]]:
        """Pairs (i, j), i < j, that share an LSH band and pass the Jaccard check."""
        lsh = make_lsh(self.threshold, self.num_perm, self.weights)
        pairs: list[tuple[int, int]] = []
        # query before insert: each pair is found once, from its later member
        for j, m in enumerate(sigs):
            if m is None:
                continue
            for i in lsh.query(m):
                if sigs[i].jaccard(m) >= self.threshold:
                    pairs.append((i, j))
            lsh.insert(j, m)
        return pairs

    def _cluster(self, arts):
        sigs = self.signatures(arts)
        return labels_from_components(len(arts), self.candidate_pairs(sigs))


# --------------------------------------------------------------------- tfidf
# threshold grids: strictest first, since ties go to the first
@baseline("story_clustering", "tfidf-agglomerative", order=10,
          params={"distance_threshold": 0.8, "output": "story_cluster"},
          grid=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9))
@baseline("article_dedup", "tfidf-agglomerative", order=30,
          params={"distance_threshold": 0.2, "output": "dup_cluster"},
          grid=(0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6))
class TfidfAgglomerative(_CollectionClusterer):
    """TF-IDF cosine + average-linkage clustering cut at ``distance_threshold``.

    A small threshold (≈0.1–0.3) groups near-identical texts (``output="dup_cluster"``);
    a large one (≈0.6–0.9) groups articles on the same story (``output="story_cluster"``).
    The IDF statistics come from the collection being clustered.
    """

    tune_param = "distance_threshold"

    def __init__(
        self,
        distance_threshold: float = 0.7,
        output: str = "story_cluster",
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 1,
        sublinear_tf: bool = True,
        stop_words: str | None = "english",
        use_title: bool = True,
    ):
        self.distance_threshold = distance_threshold
        self.output = output
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.stop_words = stop_words
        self.use_title = use_title

    def fit(self, articles, y=None):
        if self.output not in OUTPUT_FIELDS:
            raise PresscutError(f"output must be one of {list(OUTPUT_FIELDS)}, got {self.output!r}")
        return super().fit(articles, y)

    def _cluster(self, arts):
        texts = tuple(normalise(article_text(a, self.use_title)) for a in arts)
        labels = np.arange(len(arts))  # singletons unless clustered below
        rows, tree = _average_linkage(texts, tuple(self.ngram_range), self.min_df,
                                      self.sublinear_tf, self.stop_words)
        if tree is not None:
            from scipy.cluster.hierarchy import fcluster

            # merges strictly below the threshold, as AgglomerativeClustering's cut does
            cut = np.nextafter(self.distance_threshold, -np.inf)
            labels[rows] = len(arts) + fcluster(tree, cut, criterion="distance")
        return labels


# Tuning cuts one tree at every grid value: the tree of a collection is built once. Cosine
# distances come from the sparse rows (unit length after TF-IDF) rather than scipy's pdist
# over dense rows, which took ~45 s a tree on the synthetic validation articles.
@lru_cache(maxsize=2)
def _average_linkage(texts: tuple[str, ...], ngram_range: tuple[int, int], min_df: int,
                     sublinear_tf: bool, stop_words: str | None):
    """Rows with a usable word, and the average-linkage tree over their cosine distances
    (``None`` with fewer than two such rows)."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    try:
        matrix = TfidfVectorizer(ngram_range=ngram_range, min_df=min_df,
                                 sublinear_tf=sublinear_tf, stop_words=stop_words,
                                 ).fit_transform(texts)
    except ValueError:  # empty vocabulary: no article has a usable word
        return np.zeros(0, dtype=np.intp), None
    # cosine distance is undefined for all-zero rows; such articles stay alone
    rows = np.flatnonzero(matrix.getnnz(axis=1) > 0)
    if len(rows) < 2:
        return rows, None
    x = matrix[rows]
    dist = np.clip(1.0 - (x @ x.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    return rows, linkage(squareform(dist, checks=False), method="average")


# ---------------------------------------------------------------------- tune
def pairwise_f1(gold: Sequence, pred: Sequence) -> float:
    """F1 over same-cluster article pairs (the harness's metric; 1.0 when neither side pairs)."""
    return pairwise_prf(list(gold), list(pred))[2]


@dataclass
class TuneResult:
    param: str
    best: float
    best_f1: float
    scores: list[tuple[float, float]] = field(default_factory=list)
    estimator: object = None


def tune(
    estimator,
    articles: Iterable[dict],
    gold_clusters: Sequence[str],
    grid: Iterable[float],
    param: str | None = None,
) -> TuneResult:
    """Pick the threshold with the best pairwise F1 on the given (validation) articles.

    Ties go to the earliest grid value, so put the preferred (e.g. strictest)
    values first. Returns the scores for the whole grid and a fitted clone of the
    estimator set to the chosen value.
    """
    arts = check_articles(articles)
    gold = list(gold_clusters)
    if len(gold) != len(arts):
        raise PresscutError(
            f"tune: {len(arts)} articles but {len(gold)} gold cluster labels"
        )
    param = param or getattr(estimator, "tune_param", "")
    if not param or param not in estimator.get_params():
        raise PresscutError(f"tune: {type(estimator).__name__} has no parameter {param!r}")
    values = list(grid)
    if not values:
        raise PresscutError("tune: the grid is empty")
    scores: list[tuple[float, float]] = []
    for value in values:
        candidate = clone(estimator).set_params(**{param: value})
        scores.append((value, pairwise_f1(gold, candidate.fit(arts).predict_labels(arts))))
    best_value, best_f1 = max(scores, key=lambda vs: vs[1])  # max keeps the first of ties
    chosen = clone(estimator).set_params(**{param: best_value}).fit(arts)
    return TuneResult(param, best_value, best_f1, scores, chosen)
