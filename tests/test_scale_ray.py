"""The Ray Data path gives exactly the single-machine output (a local Ray with 2 CPUs)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytest.importorskip("duckdb")
pytest.importorskip("rensa")
ray = pytest.importorskip("ray")

from presscut.scale import dedup, ray_jobs, segment, synthetic  # noqa: E402

RAW = Path(__file__).resolve().parent.parent / "corpus" / "raw"


@pytest.fixture(scope="module")
def local_ray():
    ray_jobs.init(num_cpus=2)
    yield
    ray.shutdown()


def test_ray_dedup_equals_single_machine(local_ray, tmp_path):
    src = tmp_path / "arts.jsonl"
    rows = [r for rb in synthetic.articles(240, seed=5, block=240, words=80)
            for r in rb.to_pylist()]
    rows.insert(17, dict(rows[3]))  # a repeated id: a bad row on both paths
    src.write_text("".join(json.dumps({"article_id": r["article_id"], "body": r["body"]}) + "\n"
                           for r in rows) + "{broken\n", encoding="utf-8")
    one, dist = tmp_path / "one.parquet", tmp_path / "ray.parquet"
    a = dedup.dedup_corpus(src, one)
    b = ray_jobs.dedup_corpus(src, dist, batch_size=64)
    ta, tb = pq.read_table(one), pq.read_table(dist)
    assert ta.equals(tb)  # same rows in the same (input) order
    assert ta.num_rows == tb.num_rows == 240
    assert a.clusters == b.clusters > 5 and a.in_clusters == b.in_clusters
    assert (a.candidates, a.verified, a.bad_rows, a.articles) == \
        (b.candidates, b.verified, b.bad_rows, b.articles)
    assert sorted(map(str, a.bad)) == sorted(map(str, b.bad))


def test_ray_segmentation_equals_single_machine(local_ray, tmp_path):
    one, dist = tmp_path / "one.parquet", tmp_path / "ray.parquet"
    segment.segment_corpus(RAW, one)
    rep = ray_jobs.segment_corpus(RAW, dist, batch_size=2)
    assert pq.read_table(one).equals(pq.read_table(dist))
    assert rep.pages == 5


def test_star_components_match_scipy_on_long_chains(local_ray):
    # paths need many star rounds; random extra edges join some of them
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(7)
    perm = rng.permutation(600)
    u = [perm[k] for k in range(599) if k % 150 != 149]  # four chains of 150 nodes
    v = [perm[k + 1] for k in range(599) if k % 150 != 149]
    extra = rng.integers(0, 900, size=(40, 2))
    u += list(extra[:, 0]) + [5, 5]
    v += list(extra[:, 1]) + [5, 5]  # a self-loop and a repeated edge
    u, v = np.asarray(u, np.int64), np.asarray(v, np.int64)
    edges = ray.data.from_arrow(ray_jobs._edges(u, v))
    got = {r["u"]: r["v"] for r in ray_jobs.star_components(edges, parts=3).take_all()}
    _, lab = connected_components(coo_matrix((np.ones(len(u)), (u, v)), shape=(900, 900)),
                                  directed=False)
    for node in set(u) | set(v):
        members = np.flatnonzero(lab == lab[node])
        if len(members) > 1:
            assert got.get(node, node) == members.min(), node
        else:
            assert node not in got
