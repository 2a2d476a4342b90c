"""Stage functions shared by the single-machine path and the Ray Data path.

Each stage maps one Arrow table (a record batch of the corpus) to another, holds no
state between batches and depends on nothing but its parameters, so the same function
is a step of the local streaming loop and the body of a Ray ``map_batches`` call.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa

from presscut.errors import PresscutError
from presscut.scale.minhash import band_hashes, estimated_jaccard, signatures


@dataclass(frozen=True)
class DedupParams:
    """MinHash LSH settings; the defaults are the article-dedup baseline's."""

    threshold: float = 0.8
    num_perm: int = 128
    shingle_k: int = 5
    seed: int = 1
    weights: tuple[float, float] = (0.5, 0.5)
    # A bucket with more members than this links each to the bucket's first member
    # instead of pairing all of them (a page template shared by thousands of pages
    # would otherwise make millions of candidate pairs).
    max_bucket: int = 200
    # Keep only candidates whose estimated Jaccard reaches the threshold (the baseline's
    # rule). False takes every LSH band collision as a duplicate, as datasketch's
    # MinHashLSH.query used alone, datatrove and text-dedup do.
    verify: bool = True
    # With verification, the banding is chosen for recall: a pair whose Jaccard is at the
    # threshold must collide in some band with at least this probability (a candidate
    # below the threshold is removed by the check, a pair never proposed is lost for good).
    # datasketch's optimum, which the in-memory baseline uses, weighs missed pairs and
    # false candidates equally and proposes a pair at Jaccard 0.8 only 40 % of the time.
    band_recall: float = 0.9

    def __post_init__(self):
        if not 0.0 < self.threshold <= 1.0:
            raise PresscutError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.num_perm < 2 or self.shingle_k < 1:
            raise PresscutError("num_perm must be >= 2 and shingle_k >= 1")
        if not 0.0 < self.band_recall < 1.0:
            raise PresscutError(f"band_recall must be in (0, 1), got {self.band_recall}")

    def bands(self) -> tuple[int, int]:
        """(b, r): with verification, the fewest bands that propose a pair at the threshold
        with probability ``band_recall``; without it, datasketch's optimum for the
        threshold (every collision is then a duplicate, so false candidates cost as much as
        missed pairs), as the in-memory baseline uses."""
        if self.verify:
            return recall_bands(self.threshold, self.num_perm, self.band_recall)
        return _bands(self.threshold, self.num_perm, tuple(self.weights))

    def as_dict(self) -> dict:
        return asdict(self)


@functools.lru_cache(maxsize=32)
def _bands(threshold: float, num_perm: int, weights: tuple[float, float]) -> tuple[int, int]:
    from datasketch import MinHashLSH

    try:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
    except ValueError as err:
        raise PresscutError(f"MinHash LSH cannot be set up for threshold {threshold} with "
                            f"{num_perm} permutations ({err})") from None
    return lsh.b, lsh.r


def collision_probability(jaccard: float, b: int, r: int) -> float:
    """Probability that a pair of this Jaccard shares at least one of b bands of r rows."""
    return 1.0 - (1.0 - jaccard ** r) ** b


def recall_bands(threshold: float, num_perm: int, recall: float) -> tuple[int, int]:
    """The longest bands (fewest chance collisions) with ``collision_probability(threshold)
    >= recall``, using ``num_perm // r`` bands of r rows; one-row bands if none reach it."""
    for r in range(num_perm, 0, -1):
        b = num_perm // r
        if collision_probability(threshold, b, r) >= recall:
            return b, r
    return num_perm, 1


def band_columns(b: int) -> list[str]:
    return [f"b{k}" for k in range(b)]


def signature_stage(batch: pa.Table | pa.RecordBatch, params: DedupParams,
                    bands: tuple[int, int] | None = None) -> pa.Table:
    """``(id, text)`` → ``id``, ``has_words``, ``sig`` (num_perm uint32) and band hashes ``b0..``.

    ``b<k>`` is the hash of signature slots ``[k*r, (k+1)*r)``: two articles are an LSH
    candidate pair when any band column is equal (and both have words).
    """
    b, r = bands or params.bands()
    sig, has_words = signatures(batch.column("text"), num_perm=params.num_perm,
                                seed=params.seed, k=params.shingle_k)
    bh = band_hashes(sig, b, r)
    flat = pa.array(sig.reshape(-1), pa.uint32())
    cols = {
        "id": batch.column("id"),
        "has_words": pa.array(has_words),
        "sig": pa.FixedSizeListArray.from_arrays(flat, params.num_perm),
    }
    for k, name in enumerate(band_columns(b)):
        cols[name] = pa.array(bh[:, k], pa.uint64())
    return pa.table(cols)


def verify_pairs(sig_i: np.ndarray, sig_j: np.ndarray, threshold: float) -> np.ndarray:
    """Mask of candidate pairs whose estimated Jaccard reaches the threshold."""
    return estimated_jaccard(sig_i, sig_j) >= threshold


def sig_matrix(col: pa.Array | pa.ChunkedArray, num_perm: int) -> np.ndarray:
    """The ``sig`` column as an (n, num_perm) uint32 array."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    return np.asarray(col.flatten().to_numpy(zero_copy_only=False),
                      dtype=np.uint32).reshape(len(col), num_perm)
