"""presscut.scale.dedup: DuckDB candidates + components against a brute-force reference."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")
pytest.importorskip("rensa")

from presscut.baselines.article_dedup import MinHashLSHDedup  # noqa: E402
from presscut.errors import PresscutError  # noqa: E402
from presscut.harness.metrics import pairwise_prf  # noqa: E402
from presscut.scale import synthetic  # noqa: E402
from presscut.scale.dedup import dedup_corpus  # noqa: E402
from presscut.scale.minhash import band_hashes, signatures  # noqa: E402
from presscut.scale.stages import DedupParams  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("syn") / "articles.parquet"
    return synthetic.write(path, 600, seed=3, block=300, words=120)


def _clusters(path: Path) -> dict[str, str]:
    t = pq.read_table(path).to_pydict()
    return dict(zip(t["article_id"], t["dup_cluster"]))


def _reference(texts: list[str], ids: list[str], p: DedupParams) -> dict[str, str]:
    """All pairs by brute force: same LSH bucket in some band and (when ``p.verify``)
    estimate >= threshold; union-find; a cluster is named after its smallest id."""
    sig, has = signatures(pa.array(texts), num_perm=p.num_perm, seed=p.seed, k=p.shingle_k)
    b, r = p.bands()
    bh = band_hashes(sig, b, r)
    parent = list(range(len(texts)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a in range(len(texts)):
        for c in range(a + 1, len(texts)):
            if has[a] and has[c] and (bh[a] == bh[c]).any() \
                    and (not p.verify or (sig[a] == sig[c]).mean() >= p.threshold):
                parent[find(a)] = find(c)
    groups: dict[int, list[str]] = {}
    for k, aid in enumerate(ids):
        groups.setdefault(find(k), []).append(aid)
    return {aid: min(groups[find(k)]) for k, aid in enumerate(ids)}


def test_clusters_equal_the_brute_force_reference(corpus, tmp_path):
    out = tmp_path / "dups.parquet"
    rep = dedup_corpus(corpus, out, batch_size=128)
    t = pq.read_table(corpus).to_pydict()
    ref = _reference(t["body"], t["article_id"], DedupParams())
    got = _clusters(out)
    assert pq.read_table(out).column("article_id").to_pylist() == t["article_id"]  # input order
    assert got == ref
    assert rep.articles == 600 and rep.bad_rows == 0
    assert rep.clusters == len({c for c in ref.values() if list(ref.values()).count(c) > 1})
    assert rep.candidates >= rep.verified > 0


def test_unverified_candidates_equal_the_brute_force_reference(corpus, tmp_path):
    out = tmp_path / "dups.parquet"
    params = DedupParams(verify=False)
    rep = dedup_corpus(corpus, out, params, batch_size=128)
    t = pq.read_table(corpus).to_pydict()
    ref = _reference(t["body"], t["article_id"], params)
    assert _clusters(out) == ref
    assert ref != _reference(t["body"], t["article_id"], DedupParams())  # the check mattered
    assert rep.verified == rep.candidates > 0


def test_agrees_with_the_in_memory_baseline_and_the_truth(corpus, tmp_path):
    out = tmp_path / "dups.parquet"
    dedup_corpus(corpus, out)
    t = pq.read_table(corpus).to_pylist()
    base = MinHashLSHDedup().fit(t).predict_labels(t)
    ours = [_clusters(out)[a["article_id"]] for a in t]
    truth = [a["cluster"] for a in t]
    # different MinHash permutations: not the same pairs near the threshold, nearly the same
    assert pairwise_prf(base, ours)[2] > 0.85
    assert pairwise_prf(truth, ours)[2] > pairwise_prf(truth, base)[2] - 0.05


def test_output_is_deterministic_and_independent_of_batching_and_workers(corpus, tmp_path):
    a, b, c = tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "c.parquet"
    dedup_corpus(corpus, a, batch_size=1000)
    dedup_corpus(corpus, b, batch_size=1000)
    dedup_corpus(corpus, c, batch_size=97, workers=2)
    assert a.read_bytes() == b.read_bytes()
    assert pq.read_table(a).equals(pq.read_table(c))


def test_keep_unique_writes_one_article_per_cluster(corpus, tmp_path):
    out, uniq = tmp_path / "d.parquet", tmp_path / "u.parquet"
    rep = dedup_corpus(corpus, out, keep_unique=uniq)
    clusters = _clusters(out)
    kept = pq.read_table(uniq).column("id").to_pylist()
    assert sorted(kept) == sorted(set(clusters.values()))
    assert rep.kept == len(kept) == len(set(clusters.values()))


def test_bad_rows_are_named_and_counted_and_repeated_ids_reported(tmp_path):
    src = tmp_path / "arts.jsonl"
    text = "the same long enough text about the council vote on the new budget today"
    lines = [json.dumps({"article_id": "a", "body": text}), "{not json",
             json.dumps({"article_id": "b", "body": text}), json.dumps(["list"]),
             json.dumps({"body": "no id"}), json.dumps({"article_id": "c", "body": 3}),
             json.dumps({"article_id": "a", "body": "another text entirely"}),
             json.dumps({"article_id": "d", "title": "only a title", "body": ""})]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "d.parquet"
    rep = dedup_corpus(src, out)
    where = sorted(str(b) for b in rep.bad)
    assert rep.bad_rows == 5 and len(where) == 5
    assert any("line 2" in w and "not JSON" in w for w in where)
    assert any("line 4" in w and "JSON object" in w for w in where)
    assert any("line 5" in w and "no id" in w for w in where)
    assert any("line 6" in w and "'body' must be a string" in w for w in where)
    assert any("'a' repeats" in w for w in where)
    assert _clusters(out) == {"a": "a", "b": "a", "d": "d"}
    assert rep.articles == 3


def test_a_huge_bucket_still_forms_one_cluster(tmp_path):
    text = " ".join(f"word{i}" for i in range(40))
    src = tmp_path / "same.jsonl"
    src.write_text("".join(json.dumps({"id": f"x{i:03d}", "text": text}) + "\n"
                           for i in range(30)), encoding="utf-8")
    out = tmp_path / "d.parquet"
    dedup_corpus(src, out, DedupParams(max_bucket=5))
    assert set(_clusters(out).values()) == {"x000"}


def test_failure_leaves_no_output(tmp_path, monkeypatch):
    src = tmp_path / "arts.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "some words here"}) + "\n", encoding="utf-8")
    out = tmp_path / "d.parquet"
    import presscut.scale.dedup as mod

    def boom(*a, **k):
        raise PresscutError("disk full")

    monkeypatch.setattr(mod, "components", boom)
    with pytest.raises(PresscutError):
        dedup_corpus(src, out)
    assert list(tmp_path.iterdir()) == [src]


def test_unknown_format_is_a_named_error(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(PresscutError, match="unknown corpus format"):
        dedup_corpus(bad, tmp_path / "o.parquet")
    assert np.array_equal([p.name for p in tmp_path.iterdir()], ["x.csv"])


def test_reading_a_parquet_corpus_holds_one_row_group_not_the_file(tmp_path):
    """Batches of a large Parquet file are read without keeping what was read before
    (pyarrow's pre-buffering would hold every byte range until the file is closed)."""
    from presscut.scale.corpus import read_batches

    path = tmp_path / "big.parquet"
    rng = np.random.default_rng(0)
    with pq.ParquetWriter(path, pa.schema([("id", pa.string()), ("text", pa.string())])) as w:
        for g in range(8):  # 8 row groups of 4,000 rows of 1 KB of incompressible text
            w.write_table(pa.table({"id": [f"r{g}-{i}" for i in range(4000)],
                                    "text": [rng.bytes(512).hex() for _ in range(4000)]}))
    base = pa.total_allocated_bytes()
    peak = rows = 0
    for rb in read_batches(path, batch_size=1000):
        rows += rb.num_rows
        peak = max(peak, pa.total_allocated_bytes() - base)
        del rb
    assert rows == 32_000
    # the file holds 32 MB of text; one row group plus a batch is about 5 MB
    assert peak < 12 * 2**20, f"{peak / 2**20:.0f} MiB held while reading"


def test_verified_banding_is_chosen_for_recall_at_the_threshold():
    from presscut.scale.stages import collision_probability, recall_bands

    # by hand: 1 - (1 - 0.8**9)**14 = 0.867 < 0.9 <= 1 - (1 - 0.8**8)**16 = 0.947
    assert abs(collision_probability(0.8, 14, 9) - 0.8670) < 5e-4
    assert abs(collision_probability(0.8, 16, 8) - 0.9470) < 5e-4
    assert recall_bands(0.8, 128, 0.9) == (16, 8)
    assert DedupParams().bands() == (16, 8)
    # unverified, every collision is a duplicate: datasketch's optimum, as the baseline
    assert DedupParams(verify=False).bands() == (9, 13)
    assert recall_bands(0.3, 4, 0.99) == (4, 1)  # 1 - 0.7**4 = 0.76: one-row bands
    with pytest.raises(PresscutError, match="band_recall"):
        DedupParams(band_recall=1.0)


def test_pairs_just_above_the_threshold_are_found_more_often_with_the_recall_banding(tmp_path):
    """Pairs of exact Jaccard 0.82-0.85 over their shingles: the default banding (16 x 8)
    proposes far more of them than the banding a low ``band_recall`` gives (0.4: 10 x 12,
    close to datasketch's optimum 9 x 13, which misses ~half at 0.82)."""
    rng = np.random.default_rng(5)
    rows, truth = [], []
    for i in range(150):
        words = [f"w{i}x{j}" for j in range(400)]
        copy = list(words)
        for pos in rng.choice(400, 6, replace=False):  # 6 edits → ~30 of 396 shingles differ
            copy[pos] = f"e{i}y{pos}"
        rows += [{"id": f"{i:03d}a", "text": " ".join(words)},
                 {"id": f"{i:03d}b", "text": " ".join(copy)}]
        truth += [i, i]
    src = tmp_path / "pairs.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    found = {}
    for name, params in (("recall", DedupParams()),
                         ("low", DedupParams(band_recall=0.4))):
        out = tmp_path / f"{name}.parquet"
        dedup_corpus(src, out, params)
        c = _clusters(out)
        found[name] = sum(c[f"{i:03d}a"] == c[f"{i:03d}b"] for i in range(150))
    assert found["recall"] > found["low"] + 20
