"""MinHash signatures/s: presscut.scale vs datasketch's bulk path vs rensa, on the same shingles.

    python benchmarks/bench_signatures.py --n 20000 --words 300

All paths make 128-permutation signatures of word 5-shingles of the same synthetic
articles (presscut.scale.synthetic word salad, not news text), in one process, best of
``--repeats``, alternated:

- ``from text`` rows start from the article text, as a dedup job does: datasketch and rensa
  get their shingles from the baseline's Python tokeniser
  (:func:`presscut.baselines.article_dedup.shingles`), presscut.scale tokenises and hashes
  the batch in NumPy (:func:`presscut.scale.minhash.signatures`);
- ``from shingles`` rows time the signature step alone on ready shingles: datasketch's
  ``MinHash.bulk`` on byte strings, rensa's ``digest_matrix_from_token_sets`` on the
  strings, and presscut.scale's kernel (rensa's flat-buffer call on its uint64 shingle
  hashes, plus the copy to a NumPy matrix).

Every signature matrix is a usable result (rensa's rows are copied out of its matrix
object too). The accuracy columns compare each path's estimates with the exact Jaccard
of the same shingle sets over pairs of (source, edited copy).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pyarrow as pa
from datasketch import LeanMinHash, MinHash
from rensa import RMinHash
from rich.console import Console
from rich.table import Table

from presscut.baselines.article_dedup import shingles
from presscut.scale import synthetic
from presscut.scale.minhash import shingle_hashes, signatures, signatures_from_hashes, word_hashes

PERM, K, SEED = 128, 5, 1


def corpus(n: int, words: int) -> tuple[list[str], list[tuple[int, int]]]:
    texts, ids, cluster = [], {}, []
    for rb in synthetic.articles(n, seed=11, words=words, block=min(n, 10_000)):
        d = rb.to_pydict()
        for aid, body, cl in zip(d["article_id"], d["body"], d["cluster"]):
            ids[aid] = len(texts)
            texts.append(body)
            cluster.append(cl)
    pairs = [(ids[c], k) for k, c in enumerate(cluster) if ids[c] != k][:2000]
    return texts, pairs


def ds_from_text(texts):
    sets = [shingles(t, K) for t in texts]
    return [LeanMinHash(m) for m in MinHash.bulk(sets, num_perm=PERM, seed=SEED)]


def rensa_from_text(texts):
    sets = [[s.decode() for s in shingles(t, K)] for t in texts]
    return np.asarray(RMinHash.digest_matrix_from_token_sets(sets, PERM, SEED).to_rows(),
                      dtype=np.uint32)


def ours_from_text(texts, batch: int = 2000):
    arr = pa.array(texts, pa.large_string())
    return np.concatenate([signatures(arr.slice(s, batch), num_perm=PERM, seed=SEED, k=K)[0]
                           for s in range(0, len(texts), batch)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--words", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    texts, pairs = corpus(args.n, args.words)
    byte_sets = [shingles(t, K) for t in texts]
    str_sets = [[s.decode() for s in b] for b in byte_sets]
    arr = pa.array(texts, pa.large_string())
    hashed = [shingle_hashes(word_hashes(arr.slice(s, 2000)), K)
              for s in range(0, len(texts), 2000)]

    paths = {
        ("from text", "datasketch bulk"): lambda: ds_from_text(texts),
        ("from text", "rensa"): lambda: rensa_from_text(texts),
        ("from text", "presscut.scale"): lambda: ours_from_text(texts),
        ("from shingles", "datasketch bulk"): lambda: [
            LeanMinHash(m) for m in MinHash.bulk(byte_sets, num_perm=PERM, seed=SEED)],
        ("from shingles", "rensa"): lambda: np.asarray(
            RMinHash.digest_matrix_from_token_sets(str_sets, PERM, SEED).to_rows(), np.uint32),
        ("from shingles", "presscut.scale"): lambda: np.concatenate(
            [signatures_from_hashes(h, PERM, SEED) for h in hashed]),
    }
    best = {k: float("inf") for k in paths}
    results = {}
    for _ in range(args.repeats):
        for k, fn in paths.items():
            t = time.perf_counter()
            results[k] = fn()
            best[k] = min(best[k], time.perf_counter() - t)

    exact = np.array([len(byte_sets[a] & byte_sets[b]) / len(byte_sets[a] | byte_sets[b])
                      for a, b in pairs])

    def estimates(res) -> np.ndarray:
        if isinstance(res, list):
            return np.array([res[a].jaccard(res[b]) for a, b in pairs])
        return np.array([(res[a] == res[b]).mean() for a, b in pairs])

    table = Table(title=f"MinHash signatures: {args.n:,} articles x ~{args.words} words, "
                        f"{PERM} permutations, {K}-word shingles, one core, best of {args.repeats}")
    for col in ("input", "path", "seconds", "signatures/s", "vs datasketch", "vs rensa",
                "mean |est - exact|", "mean est - exact"):
        table.add_column(col, justify="left" if col in ("input", "path") else "right")
    for (inp, path), sec in best.items():
        est = estimates(results[(inp, path)])
        table.add_row(inp, path, f"{sec:.2f}", f"{args.n / sec:,.0f}",
                      f"{best[(inp, 'datasketch bulk')] / sec:.2f}",
                      f"{best[(inp, 'rensa')] / sec:.2f}",
                      f"{np.abs(est - exact).mean():.4f}", f"{(est - exact).mean():+.4f}")
    console = Console()
    console.print(table)
    console.print(f"{len(pairs)} (source, copy) pairs, exact Jaccard "
                  f"{exact.min():.2f}..{exact.max():.2f} (mean {exact.mean():.2f})")


if __name__ == "__main__":
    main()
