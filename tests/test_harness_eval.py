"""End-to-end scoring on tiny splits/ trees: gold scores the maximum, trivial systems score
what hand computation says, role F1 agrees with scikit-learn, results are reproducible."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score, f1_score
from tinydata import (
    complete,
    gold_predictions,
    segmentation_row,
    stance_row,
    write_rows,
)

from presscut.errors import PresscutError
from presscut.harness.evaluate import score_predictions
from presscut.schema import SCORED_ROLES, is_blank
from presscut.tasks import get_task

FAST = {"n_resamples": 50}

PAGE_1 = segmentation_row(
    "p1", ["x y", "T", "a b c d e"], ["boilerplate", "title", "body"], [(1, 3)]
)
PAGE_2 = segmentation_row("p2", ["Only body text here now"], ["body"], [(0, 1)])
PAGE_3 = segmentation_row(
    "p3",
    ["Menu", "Head one", "", "First body line here.", "Menu", "Head two", "Second body."],
    ["boilerplate", "title", "blank", "body", "boilerplate", "title", "body"],
    [(1, 4), (5, 7)],
    dup_groups=[(0, 4)],
)

ARTICLES = {
    "train": [("a/0", "d1", "s1"), ("a/1", "d2", "s2")],
    "validation": [("b/0", "d1", "s1")],
    "test": [("c/0", "d3", "s1"), ("c/1", "d4", "s3")],
}
STANCE_TEST = [("a/0", "b/0", "agree"), ("a/0", "c/0", "discuss"), ("a/0", "a/1", "unrelated"),
               ("a/1", "b/0", "unrelated"), ("c/1", "a/0", "unrelated")]
PAGES_TEST = [("p1", "The Independent"), ("p2", None), ("p3", "AP")]


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    write_rows(tmp_path, "segmentation", "test", [PAGE_1, PAGE_2])
    write_rows(tmp_path, "segmentation", "validation", [PAGE_3])
    for split, rows in ARTICLES.items():
        write_rows(tmp_path, "articles", split, [
            {"article_id": a, "doc_id": a.split("/")[0], "dup_cluster": d, "story_cluster": s}
            for a, d, s in rows
        ])
    write_rows(tmp_path, "stance", "test", [stance_row(*p) for p in STANCE_TEST])
    write_rows(tmp_path, "pages", "test", [{"doc_id": d, "outlet": o} for d, o in PAGES_TEST])
    return tmp_path


# ------------------------------------------------------------------ sanity: gold is perfect
@pytest.mark.parametrize("task", ["segmentation", "line_dedup", "article_dedup",
                                  "story_clustering", "stance", "source"])
def test_gold_labels_score_the_maximum_on_every_metric(root, task):
    t = get_task(task)
    res = score_predictions(task, gold_predictions(task, root), root=root, **FAST)
    assert res["main_score"] == t.main_score and res["task_version"] == t.version
    for name, value in res["scores"].items():
        if value is None:  # e.g. the F1 of a role that occurs nowhere
            continue
        best = 0.0 if t.direction(name) == "lower" else 1.0
        assert value == pytest.approx(best), name
    assert res["scores"][t.main_score] is not None
    json.dumps(res)  # JSON-serialisable as the contract says


# ------------------------------------------------------------------ trivial systems by hand
def keep_everything(row: dict) -> dict:
    n = len(row["lines"])
    return {"doc_id": row["doc_id"], "roles": ["body"] * n, "articles": [[0, n]]}


def test_keep_everything_scores_what_hand_computation_says(root):
    res = score_predictions("segmentation", [keep_everything(PAGE_1), keep_everything(PAGE_2)],
                            root=root, **FAST)
    s = res["scores"]
    # page 1: predicted words x y t a b c d e → 5 shingles, gold a b c d e → 2, both shared
    #   P 2/5, R 1, F1 4/7; page 2 perfect. Macro over pages.
    assert s["body_f1"] == pytest.approx((4 / 7 + 1) / 2)
    assert s["body_precision"] == pytest.approx((2 / 5 + 1) / 2)
    # boundaries: page 1 start 0 vs 1 (miss), end 3 vs 3; page 2 both → 3 of 4, micro
    assert s["boundary_f1"] == pytest.approx(0.75)
    assert s["boundary_f1_tol1"] == pytest.approx(1.0)
    # Pk on page 1 only (page 2 has one content line): k = 1, gaps ref [1,0] hyp [0,0]
    assert s["pk"] == pytest.approx(0.5) and s["windowdiff"] == pytest.approx(0.5)
    # roles pooled: body tp 2 fp 2 → F1 2/3; title and boilerplate never predicted → 0
    assert s["role_f1_body"] == pytest.approx(2 / 3)
    assert s["role_f1_title"] == 0.0 and s["role_f1_boilerplate"] == 0.0
    assert s["role_f1_dek"] is None  # occurs nowhere: no F1, not a zero
    assert s["role_macro_f1"] == pytest.approx((2 / 3) / 3)
    per = {p["doc_id"]: p for p in res["per_item"]}
    assert per["p1"]["body_f1"] == pytest.approx(4 / 7) and per["p2"]["pk"] is None


@pytest.mark.parametrize("task", ["segmentation", "article_dedup", "stance"])
def test_per_item_breakdown_streams_to_a_file_with_the_same_rows(root, tmp_path, task):
    """#15.4: the breakdown written as it is made equals the one held in memory, and the
    result then carries the file, not the rows."""
    preds = gold_predictions(task, root)
    if task == "segmentation":
        preds = [keep_everything(PAGE_1), keep_everything(PAGE_2)]
    held = score_predictions(task, preds, root=root, **FAST)
    out = tmp_path / "items.jsonl"
    streamed = score_predictions(task, preds, root=root, per_item_path=out, **FAST)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == held["per_item"] and len(rows) == held["n_items"] > 0
    assert streamed["per_item"] == [] and streamed["per_item_file"] == str(out)
    assert streamed["scores"] == held["scores"] and streamed["ci"] == held["ci"]


def test_breakdown_not_asked_for_is_not_kept():
    from presscut.harness.scoring import Scorer

    scorer = Scorer()
    scorer.collect(keep=False)
    for i in range(3):
        scorer.emit({"doc_id": str(i)})
    assert scorer.n_items == 3 and scorer.breakdown() == []


def test_failed_scoring_leaves_no_breakdown_file(root, tmp_path):
    out = tmp_path / "items.jsonl"
    with pytest.raises(PresscutError):
        score_predictions("segmentation", [{"doc_id": "p1", "roles": ["body"]}], root=root,
                          per_item_path=out, **FAST)
    assert list(tmp_path.glob("*items.jsonl*")) == []


def test_role_f1_agrees_with_sklearn_on_pooled_lines(root):
    pred = {
        "doc_id": "p3",
        "roles": ["title", "title", "body", "body", "blank", "boilerplate", "body"],
        "articles": [[1, 7]],
    }
    res = score_predictions("segmentation", [pred], split="validation", root=root, **FAST)
    keep = [i for i, x in enumerate(PAGE_3["lines"]) if not is_blank(x)]
    gold_roles = ["boilerplate", "title", "blank", "body", "boilerplate", "title", "body"]
    y_true = [gold_roles[i] for i in keep]
    y_pred = [pred["roles"][i] for i in keep]
    present = [r for r in SCORED_ROLES if r in set(y_true) | set(y_pred)]
    ref = f1_score(y_true, y_pred, labels=present, average=None, zero_division=0)
    for role, value in zip(present, ref):
        assert res["scores"][f"role_f1_{role}"] == pytest.approx(value), role
    assert res["scores"]["role_macro_f1"] == pytest.approx(ref.mean())


def test_line_dedup_by_hand(root):
    # gold group (0, 4); predicting (0, 4, 5) adds 2 wrong pairs
    res = score_predictions("line_dedup", [{"doc_id": "p3", "groups": [[0, 4, 5]]}],
                            split="validation", root=root, **FAST)
    assert res["scores"]["pairwise_precision"] == pytest.approx(1 / 3)
    assert res["scores"]["pairwise_recall"] == pytest.approx(1.0)
    assert res["scores"]["pairwise_f1"] == pytest.approx(0.5)


def all_articles():
    return [a for rows in ARTICLES.values() for a in rows]


def test_every_article_its_own_cluster(root):
    preds = [{"article_id": a, "dup_cluster": a} for a, _, _ in all_articles()]
    res = score_predictions("article_dedup", preds, root=root, **FAST)
    assert res["split"] == "all" and res["n_items"] == 5
    s = res["scores"]
    # one gold pair (a/0, b/0), none predicted
    assert (s["pairwise_precision"], s["pairwise_recall"], s["pairwise_f1"]) == (0.0, 0.0, 0.0)
    assert s["ari"] == pytest.approx(0.0)
    # B-cubed: precision 1; recall (1/2 + 1 + 1/2 + 1 + 1) / 5 = 4/5
    assert s["bcubed_precision"] == 1.0 and s["bcubed_recall"] == pytest.approx(0.8)
    assert s["bcubed_f1"] == pytest.approx(2 * 0.8 / 1.8)


def test_one_story_for_everything(root):
    preds = [{"article_id": a, "story_cluster": "all"} for a, _, _ in all_articles()]
    res = score_predictions("story_clustering", preds, root=root, **FAST)
    s = res["scores"]
    # gold pairs: 3 among s1; predicted pairs: all 10
    assert s["pairwise_precision"] == pytest.approx(0.3) and s["pairwise_recall"] == 1.0
    gold = [st for _, _, st in all_articles()]
    assert s["ari"] == pytest.approx(adjusted_rand_score(gold, ["all"] * 5))


def test_always_unrelated(root):
    preds = [{"pair_id": f"{h}|{b}", "stance": "unrelated"} for h, b, _ in STANCE_TEST]
    s = score_predictions("stance", preds, root=root, **FAST)["scores"]
    # 3 unrelated right (0.25 each) of a maximum 2 * 1.0 + 3 * 0.25
    assert s["fnc_score"] == pytest.approx(0.75 / 2.75)
    assert s["accuracy"] == pytest.approx(3 / 5)
    # F1 unrelated = 2 * (3/5 * 1) / (3/5 + 1) = 3/4; agree and discuss 0
    assert s["macro_f1"] == pytest.approx(0.75 / 3)


def test_source_compares_normalised_outlets(root):
    preds = [{"doc_id": "p1", "outlet": "the   INDEPENDENT"}, {"doc_id": "p2", "outlet": None},
             {"doc_id": "p3", "outlet": "Reuters"}]
    s = score_predictions("source", preds, root=root, **FAST)["scores"]
    assert s["accuracy"] == pytest.approx(2 / 3)


# ------------------------------------------------------------------ synthetic data
def test_synthetic_config(root):
    row = complete("synthetic", {
        **segmentation_row("syn-0-0", ["T", "body words go here", "", "T2", "more body"],
                           ["title", "body", "blank", "title", "body"], [(0, 2), (3, 5)]),
        "article_ids": ["syn-0-0/0", "syn-0-0/1"],
        "dup_clusters": ["d1", "d1"],
        "story_clusters": ["s1", "s1"],
    })
    write_rows(root, "synthetic", "test", [row])
    for task in ("segmentation", "line_dedup", "article_dedup", "story_clustering"):
        preds = gold_predictions(task, root, data="synthetic")
        res = score_predictions(task, preds, data="synthetic", root=root, **FAST)
        assert res["data"] == "synthetic" and res["split"] == "test"
        assert res["scores"][get_task(task).main_score] == pytest.approx(1.0), task
    with pytest.raises(PresscutError, match="no synthetic data"):
        score_predictions("stance", [], data="synthetic", root=root)


# ------------------------------------------------------------------ reproducibility
def test_ci_is_seeded_and_brackets_the_score(root):
    pages = [{**r, "doc_id": f"{r['doc_id']}-{i}"} for i in range(3)
             for r in (PAGE_1, PAGE_2, PAGE_3)]
    write_rows(root, "segmentation", "train", pages)
    preds = [keep_everything(r) for r in pages]
    a = score_predictions("segmentation", preds, split="train", root=root, n_resamples=200, seed=1)
    b = score_predictions("segmentation", preds, split="train", root=root, n_resamples=200, seed=1)
    assert a["ci"] == b["ci"]
    lo, hi = a["ci"]["body_f1"]
    assert lo <= a["scores"]["body_f1"] <= hi and lo < hi
    assert a["bootstrap"] == {"n_resamples": 200, "seed": 1, "level": 0.95, "unit": "page"}


def test_fingerprint_follows_the_data_bytes(root, tmp_path):
    preds = gold_predictions("segmentation", root)
    before = score_predictions("segmentation", preds, root=root, **FAST)["data_fingerprint"]
    again = score_predictions("segmentation", preds, root=root, **FAST)["data_fingerprint"]
    assert before == again and before.startswith("sha256:")
    changed = dict(PAGE_2, lines=["Only body text here today"])
    write_rows(root, "segmentation", "test", [PAGE_1, changed])
    after = score_predictions("segmentation", preds, root=root, **FAST)["data_fingerprint"]
    assert after != before


def test_unknown_split_and_missing_data(root, tmp_path):
    with pytest.raises(PresscutError, match="split 'dev' is not available"):
        score_predictions("segmentation", [], split="dev", root=root)
    with pytest.raises(PresscutError, match="presscut build"):
        score_predictions("segmentation", [], root=tmp_path / "empty")


# ------------------------------------------------------------------ the CLI
def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "presscut.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_json_and_exit_codes(root):
    from typer.testing import CliRunner

    from presscut.cli import app

    good = root / "good.jsonl"
    good.write_text("".join(json.dumps(r) + "\n" for r in gold_predictions("stance", root)))
    runner = CliRunner()
    out = runner.invoke(app, ["eval", "stance", str(good), "--root", str(root),
                              "--format", "json", "--resamples", "20"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["scores"]["fnc_score"] == 1.0 and "per_item" not in result

    table = runner.invoke(app, ["eval", "stance", str(good), "--root", str(root),
                                "--format", "table", "--resamples", "20"],
                          env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "fnc_score" in table.stdout and "(main)" in table.stdout

    # the real entry point: a bad file is a message and exit code 2, never a traceback
    bad = root / "bad.jsonl"
    bad.write_text('{"pair_id": "a/0|b/0", "stance": "maybe"}\n')
    out = run_cli("eval", "stance", str(bad), "--root", str(root), cwd=root)
    assert out.returncode == 2
    assert "line 1" in out.stderr and "'maybe'" in out.stderr and "Traceback" not in out.stderr


# ------------------------------------------------------------------ dedup recall by edit level
def synthetic_articles(root, pages):
    """pages: doc_id → [(dup_cluster, edit_level), ...] (edit_level None: not recorded)."""
    rows = []
    for doc, arts in pages.items():
        levels = [lv for _, lv in arts]
        rows.append(complete("synthetic", {
            "doc_id": doc,
            "article_ids": [f"{doc}/{k}" for k in range(len(arts))],
            "dup_clusters": [d for d, _ in arts],
            "story_clusters": ["s"] * len(arts),
            "edit_level": [] if None in levels else levels,
        }))
    write_rows(root, "synthetic", "test", rows)


def test_article_dedup_recall_by_edit_level(root):
    synthetic_articles(root, {"s0": [("d1", 0), ("d2", 0)],
                              "s1": [("d1", 1), ("d2", 3)],
                              "s2": [("d1", 2), ("d1", 3)]})
    pred = {"s0/0": "p1", "s1/0": "p1", "s2/0": "p1", "s2/1": "p2", "s0/1": "p3", "s1/1": "p3"}
    res = score_predictions("article_dedup",
                            [{"article_id": a, "dup_cluster": c} for a, c in pred.items()],
                            data="synthetic", root=root, **FAST)
    s = res["scores"]
    # d1 = {s0/0 L0, s1/0 L1, s2/0 L2, s2/1 L3}, d2 = {s0/1 L0, s1/1 L3}; a pair takes the
    # larger level. L1: 1 pair, found; L2: 2, found; L3: 3 with s2/1 (missed) + the d2 pair
    assert [s[f"gold_pairs_level_{k}"] for k in range(4)] == [0.0, 1.0, 2.0, 4.0]
    assert s["recall_level_0"] is None  # no pair of two exact copies here
    assert (s["recall_level_1"], s["recall_level_2"], s["recall_level_3"]) == (1.0, 1.0, 0.25)
    assert s["pairwise_recall"] == pytest.approx(4 / 7)
    assert {"recall_level_1", "recall_level_3"} <= set(res["ci"])
    assert not any(k.startswith("gold_pairs_level_") for k in res["ci"])  # counts: no CI
    lo, hi = res["ci"]["recall_level_3"]
    assert 0.0 <= lo <= hi <= 1.0
    assert {r["article_id"]: r["edit_level"] for r in res["per_item"]}["s2/1"] == 3


def test_recall_by_edit_level_is_absent_without_levels(root):
    gold = score_predictions("article_dedup", gold_predictions("article_dedup", root),
                             root=root, **FAST)
    synthetic_articles(root, {"s0": [("d1", None), ("d1", None)]})  # levels not recorded
    synth = score_predictions("article_dedup",
                              gold_predictions("article_dedup", root, data="synthetic"),
                              data="synthetic", root=root, **FAST)
    for res in (gold, synth):
        levelled = [k for k in res["scores"] if "_level_" in k]
        assert len(levelled) == 8 and all(res["scores"][k] is None for k in levelled)
        assert not any("_level_" in k for k in res["ci"])
        assert res["scores"]["pairwise_f1"] == 1.0


@pytest.mark.parametrize(("levels", "message"), [([0], "1 edit_level entries for 2 articles"),
                                                 ([0, 4], "edit_level 4 is not one of")])
def test_bad_edit_levels_name_the_file_and_article(root, levels, message):
    row = complete("synthetic", {"doc_id": "s0", "article_ids": ["s0/0", "s0/1"],
                                 "dup_clusters": ["d1", "d1"], "story_clusters": ["s", "s"],
                                 "edit_level": levels})
    write_rows(root, "synthetic", "test", [row])
    preds = [{"article_id": a, "dup_cluster": "c"} for a in ("s0/0", "s0/1")]
    with pytest.raises(PresscutError, match=message) as err:
        score_predictions("article_dedup", preds, data="synthetic", root=root, **FAST)
    assert "test.parquet" in err.value.message
