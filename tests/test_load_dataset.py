"""`datasets.load_dataset(<clone>, <config>)` works offline and agrees with the annotation files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from presscut.builder.corpus import load_corpus
from presscut.schema import CONFIG_FEATURES, GOLD_CONFIGS, ROLES, STANCES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    os.environ["HF_HUB_OFFLINE"] = "1"
    import datasets

    cache = tmp_path_factory.mktemp("hf-cache")
    configs = (*GOLD_CONFIGS, "synthetic")
    return {c: datasets.load_dataset(str(ROOT), c, cache_dir=str(cache)) for c in configs}


def test_every_config_loads_with_report_row_counts(loaded):
    report = json.loads((ROOT / "splits" / "build_report.json").read_text())
    for config in (*GOLD_CONFIGS, "synthetic"):
        ds = loaded[config]
        assert {s: ds[s].num_rows for s in ds} == report["rows"][config], config
        assert ds["train"].features == CONFIG_FEATURES[config], config


def test_labels_match_annotation_files(loaded):
    pages = {p.doc_id: p for p in load_corpus(ROOT).pages}
    seg = loaded["segmentation"]
    names = seg["train"].features["roles"].feature.names
    assert names == list(ROLES)
    seen = 0
    for split in seg:
        for row in seg[split]:
            page = pages[row["doc_id"]]
            assert [names[r] for r in row["roles"]] == page.roles
            assert [(a["start_line"], a["end_line"]) for a in row["articles"]] == [
                (a.start_line, a.end_line) for a in page.articles
            ]
            # char spans index the raw string: the span text starts with the first line
            for a, span in zip(page.articles, row["articles"]):
                text = page.text[span["start_char"] : span["end_char"]]
                assert text.startswith(page.lines[a.start_line])
                assert text.endswith(page.lines[a.end_line - 1])
            seen += 1
    assert seen == len(pages)


def test_articles_and_stance_match(loaded):
    pages = {p.doc_id: p for p in load_corpus(ROOT).pages}
    for split in loaded["articles"]:
        for row in loaded["articles"][split]:
            page = pages[row["doc_id"]]
            a = page.articles[row["k"]]
            assert row["dup_cluster"] == a.dup_cluster and row["story_cluster"] == a.story_cluster
            assert row["body"] == page.body(a) and row["outlet"] == page.outlet
    stance_names = loaded["stance"]["train"].features["stance"].names
    assert stance_names == list(STANCES)
    n_articles = sum(len(p.articles) for p in pages.values())
    assert sum(loaded["stance"][s].num_rows for s in loaded["stance"]) == n_articles * (
        n_articles - 1
    )
