"""Synthetic articles with graded near-duplicates, generated as a stream, for scale tests.

Word salad from a Zipf-distributed vocabulary (not news text: this only exercises speed,
memory and the dedup recipe, and the README says so). Articles come in blocks of
``block`` rows; within a block some articles are *sources* and get 1–4 copies placed at
random positions of the same block, each copy at one *level* of editing:

========== ======================================================================
level      copy
========== ======================================================================
exact      the same text
trail      the same text plus trailing page furniture (share/comment lines)
sub1       1 % of words replaced
sub3       3 % of words replaced
sub10      10 % of words replaced
cut        the first 60–90 % of the words (a truncated re-scrape)
========== ======================================================================

Every copy belongs to its source's cluster (``cluster`` = the source's id): that is the
generator's truth. Hard negatives sit beside them: a *sibling* (level ``sibling``, its own
cluster) reuses a long passage (70–90 % of the words) of a source and fills the rest with
new words — another article on the same wire story, at Jaccard ≈ 0.5–0.8, so a dedup
that accepts pairs below its threshold loses precision. Heavier levels are meant to be hard: with 5-word shingles a 10 %
substitution keeps about 60 % of shingles, below a Jaccard threshold of 0.8.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

LEVELS = ("exact", "trail", "sub1", "sub3", "sub10", "cut")
SCHEMA = pa.schema([("article_id", pa.string()), ("title", pa.string()), ("body", pa.string()),
                    ("cluster", pa.string()), ("level", pa.string())])
_TRAIL = ("Share this article", "Comments (12)", "Sign up for our newsletter",
          "Read more: related coverage", "Follow us on social media")


def _vocab(size: int, rng: np.random.Generator) -> np.ndarray:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lens = rng.integers(2, 10, size)
    words = {"".join(rng.choice(letters, n)) for n in lens}
    return np.array(sorted(words))


def articles(n: int, *, seed: int = 0, words: int = 300, block: int = 10_000,
             dup_share: float = 0.3, sibling_share: float = 0.1,
             vocab: int = 50_000) -> Iterator[pa.RecordBatch]:
    """``n`` articles in record batches of at most ``block`` rows (schema :data:`SCHEMA`)."""
    rng = np.random.default_rng(seed)
    voc = _vocab(vocab, rng)
    ranks = np.arange(1, len(voc) + 1)
    p = 1.0 / ranks**1.05
    cdf = np.cumsum(p / p.sum())
    words_of = voc.tolist()  # joining Python strings is much faster than NumPy's
    made = 0
    while made < n:
        size = min(block, n - made)
        # every source's words for the block in one draw
        lengths = np.maximum(5, rng.normal(words, words / 4, size).astype(int))
        drawn = np.split(_draw(cdf, int(lengths.sum()), rng), np.cumsum(lengths)[:-1])
        body: list[str | None] = [None] * size
        cluster: list[str | None] = [None] * size
        level: list[str] = ["source"] * size
        order = rng.permutation(size)  # positions in the block, sources first
        k = 0
        for pos_i in range(size):
            pos = order[pos_i]
            if body[pos] is not None:
                continue
            ws = drawn[pos_i].tolist()
            aid = f"syn{made + pos:08d}"
            body[pos] = " ".join([words_of[w] for w in ws])
            cluster[pos] = aid
            if rng.random() < dup_share:
                for _ in range(int(rng.integers(1, 5))):
                    k = _free_slot(order, body, k, pos_i)
                    if k >= size:
                        break
                    slot = order[k]
                    lv = LEVELS[int(rng.integers(len(LEVELS)))]
                    body[slot] = _edit(ws, lv, words_of, cdf, rng)
                    cluster[slot] = aid
                    level[slot] = lv
            if rng.random() < sibling_share and (k := _free_slot(order, body, k, pos_i)) < size:
                slot = order[k]
                body[slot] = _sibling(ws, words_of, cdf, rng)
                cluster[slot] = f"syn{made + slot:08d}"
                level[slot] = "sibling"
        ids = [f"syn{made + i:08d}" for i in range(size)]
        titles = [f"Article {made + i}" for i in range(size)]
        made += size
        yield pa.RecordBatch.from_arrays(
            [pa.array(ids), pa.array(titles), pa.array(body), pa.array(cluster), pa.array(level)],
            schema=SCHEMA)


def _free_slot(order: np.ndarray, body: list, k: int, after: int) -> int:
    """The first position of the shuffled order past ``after`` (and ``k``) still empty."""
    k = max(k, after + 1)
    while k < len(order) and body[order[k]] is not None:
        k += 1
    return k


def _draw(cdf: np.ndarray, m: int, rng: np.random.Generator) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(m)), len(cdf) - 1)


def _sibling(ws: list[int], words_of: list[str], cdf: np.ndarray,
             rng: np.random.Generator) -> str:
    keep = int(len(ws) * rng.uniform(0.7, 0.9))
    start = int(rng.integers(0, len(ws) - keep + 1))
    fresh = _draw(cdf, len(ws) - keep, rng).tolist()
    half = len(fresh) // 2
    return " ".join([words_of[w] for w in fresh[:half] + ws[start : start + keep] + fresh[half:]])


def _edit(ws: list[int], level: str, words_of: list[str], cdf: np.ndarray,
          rng: np.random.Generator) -> str:
    ws = list(ws)
    if level == "trail":
        return " ".join([words_of[w] for w in ws]) + "\n" + "\n".join(
            rng.choice(_TRAIL, 3, replace=False).tolist())
    if level.startswith("sub"):
        share = int(level[3:]) / 100
        m = max(1, int(round(share * len(ws))))
        for at, w in zip(rng.choice(len(ws), m, replace=False).tolist(),
                         _draw(cdf, m, rng).tolist()):
            ws[at] = w
    elif level == "cut":
        ws = ws[: max(1, int(len(ws) * rng.uniform(0.6, 0.9)))]
    return " ".join([words_of[w] for w in ws])


def write(path: Path, n: int, **kw) -> Path:
    """Stream ``n`` articles to a Parquet file (never all in memory)."""
    path = Path(path)
    with pq.ParquetWriter(path, SCHEMA) as w:
        for rb in articles(n, **kw):
            w.write_batch(rb)
    return path
