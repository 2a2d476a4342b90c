"""Line-duplicate baselines: which lines of a page repeat each other.

``predict`` returns harness ``line_dedup`` records ``{"doc_id", "groups"}``, each group
the sorted line numbers (>= 2) of lines that repeat one another. Blank lines never
take part (the design never scores them).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from rapidfuzz import fuzz, process
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from presscut.baselines.registry import baseline
from presscut.baselines.segment_common import Baseline, as_pages
from presscut.baselines.segment_cues import normalise, words
from presscut.errors import PresscutError


def _groups_from_labels(labels: dict[int, object]) -> list[list[int]]:
    by_key: dict[object, list[int]] = defaultdict(list)
    for line, key in labels.items():
        by_key[key].append(line)
    return sorted(sorted(g) for g in by_key.values() if len(g) >= 2)


@baseline("line_dedup", "dedup-exact", order=10)
class ExactLineDedup(Baseline):
    """Lines equal after normalisation (casefold, collapsed spaces, end punctuation off)."""

    name = "dedup-exact"
    task = "line_dedup"

    def predict_page(self, page: dict) -> dict:
        norms = {i: normalise(x) for i, x in enumerate(page["lines"])}
        return {"doc_id": page["doc_id"],
                "groups": _groups_from_labels({i: k for i, k in norms.items() if k})}


@baseline("line_dedup", "dedup-near", order=20, default=True)
class NearLineDedup(Baseline):
    """Exact groups plus near copies, joined transitively (connected components).

    ``method="ratio"`` compares normalised lines with rapidfuzz's normalised Indel
    similarity; ``method="jaccard"`` with the Jaccard index of word ``shingle``-grams.
    With ``containment``, a line whose whole text sits inside a longer one also joins
    it (a caption and the same caption with a photo credit appended). Lines shorter than
    ``min_chars`` (after normalisation) only join exact groups, since "TT" and "20" are
    near anything at character level.
    """

    name = "dedup-near"
    task = "line_dedup"

    def __init__(self, threshold: float = 0.85, method: str = "ratio", min_chars: int = 20,
                 shingle: int = 2, containment: bool = True):
        self.threshold = threshold
        self.method = method
        self.min_chars = min_chars
        self.shingle = shingle
        self.containment = containment

    def _check(self) -> None:
        if self.method not in ("ratio", "jaccard"):
            raise PresscutError(f"dedup-near: method must be 'ratio' or 'jaccard', "
                                f"got {self.method!r}")
        if not 0.0 < self.threshold <= 1.0:
            raise PresscutError(f"dedup-near: threshold must be in (0, 1], got {self.threshold}")

    def fit(self, X, y=None):  # noqa: ARG002
        self._check()
        return self

    def predict(self, X) -> list[dict]:
        self._check()
        return [self.predict_page(p) for p in as_pages(X)]

    def _similarity(self, texts: list[str]) -> np.ndarray:
        if self.method == "ratio":
            return process.cdist(texts, texts, scorer=fuzz.ratio, dtype=np.float32,
                                 workers=1) / 100.0
        sets = []
        for t in texts:
            ws = words(t)
            k = min(self.shingle, len(ws)) or 1
            sets.append({tuple(ws[j:j + k]) for j in range(max(1, len(ws) - k + 1))})
        m = len(sets)
        sim = np.eye(m, dtype=np.float32)
        for a in range(m):
            for b in range(a + 1, m):
                union = len(sets[a] | sets[b])
                sim[a, b] = sim[b, a] = len(sets[a] & sets[b]) / union if union else 0.0
        return sim

    def predict_page(self, page: dict) -> dict:
        lines = page["lines"]
        norms = [normalise(x) for x in lines]
        idx = [i for i, t in enumerate(norms) if t]
        n = len(idx)
        if n < 2:
            return {"doc_id": page["doc_id"], "groups": []}
        # Edges: equal normalised text, or similar enough and both long enough.
        first: dict[str, int] = {}
        rows, cols = [], []
        for pos, i in enumerate(idx):
            if norms[i] in first:
                rows.append(first[norms[i]])
                cols.append(pos)
            else:
                first[norms[i]] = pos
        long_pos = [pos for pos, i in enumerate(idx) if len(norms[i]) >= self.min_chars]
        if len(long_pos) >= 2:
            sim = self._similarity([norms[idx[p]] for p in long_pos])
            near = sim >= self.threshold - 1e-9
            if self.containment:
                texts = [norms[idx[p]] for p in long_pos]
                for x, tx in enumerate(texts):
                    for y, ty in enumerate(texts):
                        if x != y and len(tx) < len(ty) and tx in ty:
                            near[x, y] = near[y, x] = True
            a, b = np.nonzero(np.triu(near, k=1))
            rows += [long_pos[x] for x in a]
            cols += [long_pos[x] for x in b]
        graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        return {"doc_id": page["doc_id"],
                "groups": _groups_from_labels({idx[p]: int(labels[p]) for p in range(n)})}
