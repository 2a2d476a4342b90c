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
    assert dict(zip(*ta.to_pydict().values())) == dict(zip(*tb.to_pydict().values()))
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
