"""Each importer's output is something the harness can score (design: bring your own corpus)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from presscut.builder.importers import import_corpus
from presscut.harness.evaluate import evaluate
from presscut.schema import ROLES, STANCES

FIX = Path(__file__).parent / "fixtures" / "importers"


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _import(fmt: str, src: Path, root: Path, config: str) -> list[dict]:
    target = root / "splits" / config / "test.parquet"
    target.parent.mkdir(parents=True)
    report = import_corpus(fmt, src, target)
    written = Path(report["output"])
    if written != target:
        written.replace(target)
    return pq.read_table(target).to_pylist()


def test_fnc1_import_scores(tmp_path):
    # the FNC-1 config folder is laid out like a checkout: the harness scores against it
    import_corpus("fnc1", FIX / "fnc1", tmp_path)
    rows = pq.read_table(tmp_path / "splits" / "stance" / "test.parquet").to_pylist()
    gold = [{"pair_id": r["pair_id"], "stance": STANCES[r["stance"]]} for r in rows]
    perfect = evaluate("stance", _write(tmp_path / "gold.jsonl", gold), root=tmp_path)
    assert perfect["scores"]["fnc_score"] == 1.0 and perfect["n_items"] == len(rows)
    # always `unrelated`: FNC-1 gives 0.25 per unrelated pair, out of 0.25 / 1.0 per pair
    unrelated = [{"pair_id": r["pair_id"], "stance": "unrelated"} for r in rows]
    n_unrel = sum(STANCES[r["stance"]] == "unrelated" for r in rows)
    expected = 0.25 * n_unrel / (0.25 * n_unrel + 1.0 * (len(rows) - n_unrel))
    got = evaluate("stance", _write(tmp_path / "u.jsonl", unrelated), root=tmp_path)
    assert got["scores"]["fnc_score"] == pytest.approx(expected)


def test_html_gold_import_scores(tmp_path):
    rows = _import("html-gold", FIX / "html_gold", tmp_path, "segmentation")
    preds = [
        {"doc_id": r["doc_id"], "roles": [ROLES[x] for x in r["roles"]],
         "articles": [[a["start_line"], a["end_line"]] for a in r["articles"]]}
        for r in rows
    ]
    result = evaluate("segmentation", _write(tmp_path / "p.jsonl", preds), root=tmp_path)
    assert result["n_items"] == len(rows) > 0
    assert result["scores"]["body_f1"] == 1.0 and result["scores"]["boundary_f1"] == 1.0


def test_raw_folder_import_scores_for_source(tmp_path):
    rows = _import("raw-folder", FIX / "raw", tmp_path, "pages")
    preds = [{"doc_id": r["doc_id"], "outlet": None} for r in rows]
    result = evaluate("source", _write(tmp_path / "p.jsonl", preds), root=tmp_path)
    # unlabelled pages carry no outlet, so "no outlet" is right on every page
    assert result["n_items"] == len(rows) > 0 and result["scores"]["accuracy"] == 1.0


def test_jsonl_articles_import_feeds_scorable_synthetic_pages(tmp_path):
    from presscut.builder.pools import (
        BUILTIN_BOILERPLATE,
        Pools,
        load_article_pool,
        load_boilerplate_json,
    )
    from presscut.builder.synth_write import write_synthetic

    pool_file = Path(import_corpus("jsonl-articles", FIX / "articles.jsonl", tmp_path)["output"])
    imported = load_article_pool(pool_file)
    assert imported.articles
    pools = Pools(articles=imported.articles, licences=imported.licences,
                  boilerplate=load_boilerplate_json(BUILTIN_BOILERPLATE), sources=["fixture"])
    write_synthetic(tmp_path / "splits" / "synthetic", {"test": 20}, seed=3, pools=pools)
    rows = pq.read_table(tmp_path / "splits" / "synthetic" / "test.parquet").to_pylist()
    preds = [
        {"doc_id": r["doc_id"], "roles": [ROLES[x] for x in r["roles"]],
         "articles": [[a["start_line"], a["end_line"]] for a in r["articles"]]}
        for r in rows
    ]
    result = evaluate("segmentation", _write(tmp_path / "p.jsonl", preds), data="synthetic",
                      root=tmp_path)
    assert result["n_items"] == 20 and result["scores"]["body_f1"] == 1.0
