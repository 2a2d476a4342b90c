"""`presscut predict` pre-labels raw pages in the harness's prediction format."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from presscut.cli import app
from presscut.harness.validate import read_predictions
from presscut.tasks import get_task

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "corpus" / "raw").glob("*.txt"))


def test_predict_writes_valid_segmentation_records(tmp_path):
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(
        app, ["predict", "segmentation", *map(str, PAGES), "-m", "seg-rules", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["doc_id"] for r in records] == [p.stem for p in PAGES]
    for r, page in zip(records, PAGES):
        assert len(r["roles"]) == len(page.read_text(encoding="utf-8").split("\n"))
    # the harness's own validator accepts them as they are
    assert read_predictions(get_task("segmentation"), out).ok


def test_predict_refuses_a_task_it_cannot_do(tmp_path):
    result = CliRunner().invoke(app, ["predict", "stance", str(PAGES[0])])
    assert result.exit_code != 0


def test_predict_uses_the_tasks_default_baseline(tmp_path):
    """Without --model every page task predicts with its registry default (#10.7: line_dedup
    used to fail with the segmentation default)."""
    from presscut.baselines.registry import default_for, specs

    for task in ("segmentation", "line_dedup", "source"):
        assert default_for(task).task == task
        assert sum(s.default for s in specs(task)) == 1
        out = tmp_path / f"{task}.jsonl"
        result = CliRunner().invoke(app, ["predict", task, *map(str, PAGES), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert read_predictions(get_task(task), out).ok  # every record parses as the harness reads it
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert [r[get_task(task).id_field] for r in records] == [p.stem for p in PAGES]
