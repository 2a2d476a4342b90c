"""`presscut baselines run`: the published numbers are what the harness gives, and reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from presscut.harness.evaluate import evaluate
from presscut.publish import RESULTS_END, RESULTS_START, html_ref_rows, results_section
from presscut.runner import read_summary, run_one

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
    assert section.strip() == results_section(read_summary(ROOT), html_ref_rows(ROOT)).strip(), (
        f"{doc} results are stale: run `presscut baselines run`"
    )


def test_dedup_table_shows_recall_by_edit_level_only_where_data_has_it():
    from presscut.runner import results_markdown

    def entry(data, baseline, levels):
        scores = {"pairwise_f1": 0.5, "ari": 0.4, "bcubed_f1": 0.6}
        for k, (recall, pairs) in enumerate(levels):
            scores[f"recall_level_{k}"], scores[f"gold_pairs_level_{k}"] = recall, pairs
        return {"task": "article_dedup", "baseline": baseline, "data": data, "split": "test",
                "n_items": 9, "scores": scores, "ci": {"pairwise_f1": [0.4, 0.6]}, "notes": ""}

    summary = [entry("synthetic", "exact-hash", [(1.0, 10), (0.25, 4), (None, 0), (0.0, 3)]),
               entry("synthetic", "minhash-lsh", [(1.0, 10), (0.75, 4), (None, 0), (0.5, 3)]),
               entry("gold", "exact-hash", [(None, None)] * 4)]
    synth = results_markdown(summary, "synthetic")
    header = next(line for line in synth.splitlines() if line.startswith("| baseline"))
    assert header.split(" | ")[-5:] == ["recall L0", "recall L1", "recall L2", "recall L3",
                                        "notes |"]
    row = next(line for line in synth.splitlines() if "`minhash-lsh`" in line)
    assert row.split(" | ")[-5:-1] == ["1.000", "0.750", "–", "0.500"]
    assert "gold pairs per level: 10 / 4 / 0 / 3" in synth
    gold = results_markdown(summary, "gold")
    assert "recall L" not in gold and "gold pairs" not in gold
    assert "| ari | bcubed_f1 | notes |" in gold


def test_committed_board_page_is_current(tmp_path):
    import shutil

    from presscut.publish import write_board_page

    shutil.copytree(ROOT / "leaderboard", tmp_path / "leaderboard")
    shutil.copytree(ROOT / "splits", tmp_path / "splits")
    page = write_board_page(tmp_path)
    assert page.read_text() == (ROOT / "leaderboard" / "index.html").read_text(), (
        "leaderboard/index.html is stale: run `presscut baselines run`"
    )


def test_every_committed_leaderboard_record_verifies():
    from presscut.leaderboard.verify import verify

    checks = verify(ROOT)
    assert checks, "no leaderboard records"
    bad = [(c.name, c.status, c.detail) for c in checks if c.status != "ok"]
    assert not bad, bad
