"""Seeded percentile-bootstrap confidence intervals over items (pages, articles, pairs).

Two paths. Most metrics are functions of per-item sums (counts, per-page scores), so a
resample is a vector of item weights and the metric is recomputed from ``weights @ rows``
— no copying of items, fast for 100k pages. Clusterings are not sums of item parts, so
:func:`bootstrap_resample` recomputes the metric on resampled item indices; an item
drawn twice counts as two items that share both clusters (the usual item bootstrap).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Scores = dict[str, float | None]

N_RESAMPLES = 1000
SEED = 0
LEVEL = 0.95


def _interval(samples: dict[str, list[float]], level: float) -> dict[str, list[float | None]]:
    lo_q, hi_q = 100 * (1 - level) / 2, 100 * (1 + level) / 2
    out: dict[str, list[float | None]] = {}
    for name, values in samples.items():
        vals = np.asarray([v for v in values if v is not None], dtype=float)
        if vals.size == 0:
            out[name] = [None, None]
        else:
            out[name] = [float(np.percentile(vals, lo_q)), float(np.percentile(vals, hi_q))]
    return out


def _collect(samples: dict[str, list], scores: Scores) -> None:
    for name, value in scores.items():
        samples.setdefault(name, []).append(value)


_BLOCK = 8192  # items weighted at a time: the product never holds a copy of all rows


def weighted_sums(weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``weights @ rows``, summed in item order so every machine gets the same bits.

    A BLAS product picks its kernel (and so its summation order) by CPU: committed CIs
    written on one machine differed in the last digit from those recomputed on another,
    and the reproduction check failed. Element-wise products and an outer-axis sum
    add the items one after another in every build of NumPy. The products are made a
    block at a time, each block summed with the running total as its first row, which
    is the same additions in the same order as one sum over all rows (a single column is
    summed pairwise by NumPy, so it is done in one piece).
    """
    n, c = rows.shape
    if c < 2 or n <= _BLOCK:
        return (rows * weights[:, None]).sum(axis=0)
    buf = np.empty((_BLOCK + 1, c), dtype=np.result_type(rows, weights))
    total = np.zeros(c, dtype=buf.dtype)
    for start in range(0, n, _BLOCK):
        k = min(_BLOCK, n - start)
        buf[0] = total
        np.multiply(rows[start:start + k], weights[start:start + k, None], out=buf[1:k + 1])
        total = buf[:k + 1].sum(axis=0)
    return total


def bootstrap_sums(
    rows: np.ndarray,
    finalize: Callable[[np.ndarray, float], Scores],
    *,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> dict[str, list[float | None]]:
    """CIs for metrics computed as ``finalize(column sums, item count)``.

    ``rows`` is (n_items, n_stats); each resample draws n items with replacement,
    i.e. multinomial item weights.
    """
    n = rows.shape[0]
    if n == 0 or n_resamples <= 0:
        return {}
    rng = np.random.default_rng(seed)
    samples: dict[str, list] = {}
    for _ in range(n_resamples):
        weights = np.bincount(rng.integers(0, n, n), minlength=n).astype(rows.dtype)
        _collect(samples, finalize(weighted_sums(weights, rows), float(n)))
    return _interval(samples, level)


def bootstrap_resample(
    n: int,
    statistic: Callable[[np.ndarray], Scores],
    *,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> dict[str, list[float | None]]:
    """CIs for metrics computed by ``statistic(item indices)`` on resampled indices."""
    if n == 0 or n_resamples <= 0:
        return {}
    rng = np.random.default_rng(seed)
    samples: dict[str, list] = {}
    for _ in range(n_resamples):
        _collect(samples, statistic(rng.integers(0, n, n)))
    return _interval(samples, level)
