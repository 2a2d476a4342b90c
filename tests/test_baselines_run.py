"""`presscut baselines run`: the published numbers are what the harness gives, and reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from presscut.baselines.publish import RESULTS_END, RESULTS_START, results_section
from presscut.baselines.run import read_summary, run_one
from presscut.harness.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent
CHEAP = [
    ("line_dedup", "dedup-exact"),
    ("line_dedup", "dedup-near"),
    ("article_dedup", "exact-hash"),
    ("stance", "always-unrelated"),
    ("stance", "features-logreg"),
    ("source", "outlet-rule"),
]


@pytest.mark.parametrize(("task", "name"), CHEAP)
def test_rerun_reproduces_committed_results(task, name, tmp_path):
    committed = {
        (e["data"], e["split"]): e for e in read_summary(ROOT)
        if e["task"] == task and e["baseline"] == name
    }
    assert committed, f"no committed results for {task}/{name}: run `presscut baselines run`"
    for r in run_one(task, name, ROOT):
        entry = committed[(r.data, r.split)]
        assert r.result["scores"] == entry["scores"]
        assert r.result["ci"] == entry["ci"]
        assert r.result["data_fingerprint"] == entry["data_fingerprint"]
        # the same predictions scored from a file by the public entry point agree
        path = tmp_path / f"{r.data}.jsonl"
        path.write_text("".join(json.dumps(p) + "\n" for p in r.predictions))
        again = evaluate(task, path, split=r.split, data=r.data, root=ROOT)
        assert again["scores"] == r.result["scores"]


def test_committed_predictions_score_as_reported():
    for entry in read_summary(ROOT):
        result = evaluate(entry["task"], ROOT / entry["predictions"], split=entry["split"],
                          data=entry["data"], root=ROOT, per_item=False, n_resamples=200)
        assert result["scores"] == entry["scores"], (entry["task"], entry["baseline"])


@pytest.mark.parametrize("doc", ["README.md", "dataset_card.md"])
def test_results_tables_in_docs_are_current(doc):
    text = (ROOT / doc).read_text()
    section = text.split(RESULTS_START, 1)[1].split(RESULTS_END, 1)[0]
    assert section.strip() == results_section(read_summary(ROOT)).strip(), (
        f"{doc} results are stale: run `presscut baselines run`"
    )
