"""A task is one module and a baseline is one module (docs/extending.md).

A toy task and a toy baseline, each written here as one module outside the package, are
picked up by ``presscut eval``, ``presscut baselines run``, ``presscut predict`` and the
leaderboard without any other file changing; an unknown task is an error in each of them;
and no generic module names a task.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from tinydata import segmentation_row, write_rows

PROJECT = Path(__file__).resolve().parent.parent

TOY_TASK = '''
"""Toy task: how many non-blank lines a page has."""
from dataclasses import dataclass

from presscut.harness.scoring import SumScorer
from presscut.harness.validate import is_int
from presscut.schema import is_blank
from presscut.tasks import GOLD, BadRecord, Run, register
from presscut.tasks._pages import PageTask


def count(lines):
    return sum(not is_blank(x) for x in lines)


class ToyScorer(SumScorer):
    columns = ("correct",)

    def add(self, gold, pred):
        ok = float(pred == count(gold["lines"]))
        self.append({"correct": ok})
        self.emit({"doc_id": gold["id"], "correct": ok})

    def finalize(self, s, n):
        return {"accuracy": float(s["correct"] / n) if n else None}


@dataclass(frozen=True, kw_only=True, eq=False)
class ToyLines(PageTask):
    def parse(self, rec):
        if not is_int(rec.get("n_lines")):
            raise BadRecord('"n_lines" must be an integer')
        return rec["n_lines"]

    def make_scorer(self):
        return ToyScorer()

    def gold_record(self, item):
        return {"doc_id": item["id"], "n_lines": count(item["lines"])}


register(ToyLines(name="toy_lines", version="0.1", description="Count the non-blank lines.",
                  order=99, fields={"doc_id": "str", "n_lines": "int"}, metrics=("accuracy",),
                  main_score="accuracy", runs=(Run(GOLD, "test"),),
                  expected_input_format='{"doc_id": str, "n_lines": int}'))
'''

TOY_BASELINE = '''
"""Toy baselines for the toy task: count the non-blank lines, or every line."""
from presscut.baselines.registry import baseline
from presscut.schema import is_blank


@baseline("toy_lines", "toy-every-line", order=1, params={"skip_blank": False})
@baseline("toy_lines", "toy-count", order=2, default=True)
class CountLines:
    def __init__(self, skip_blank=True):
        self.skip_blank = skip_blank

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return [{"doc_id": p["doc_id"],
                 "n_lines": sum(not (self.skip_blank and is_blank(x)) for x in p["lines"])}
                for p in X]
'''

DRIVER = '''
import json, sys
from typer.testing import CliRunner
from presscut.cli import app

out = []
for args in json.loads(sys.argv[1]):
    r = CliRunner().invoke(app, args)
    err = "" if r.exception is None or isinstance(r.exception, SystemExit) else str(r.exception)
    out.append({"args": args, "code": r.exit_code, "output": r.output + err})
print(json.dumps(out))
'''

PAGES = [
    segmentation_row("t1", ["Head", "", "Body text here."], ["title", "blank", "body"], [(0, 3)]),
    segmentation_row("t2", ["Head", "Body"], ["title", "body"], [(0, 2)]),
    segmentation_row("t3", ["A", "\u00a0", "B", "", "C"],
                     ["title", "blank", "body", "blank", "body"], [(0, 5)]),
]


def _cli(tmp_path: Path, runs: list[list[str]], plugins: bool = True) -> list[dict]:
    mods = tmp_path / "plugins"
    mods.mkdir(exist_ok=True)
    (mods / "toy_task.py").write_text(TOY_TASK, encoding="utf-8")
    (mods / "toy_baseline.py").write_text(TOY_BASELINE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(mods), os.environ.get("PYTHONPATH", "")])}
    env["PRESSCUT_PLUGINS"] = "toy_task,toy_baseline" if plugins else ""
    proc = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(runs)], env=env,
                          capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_toy_task_and_baseline_are_picked_up_everywhere(tmp_path):
    root = tmp_path / "project"
    write_rows(root, "segmentation", "test", PAGES)
    (root / "README.md").write_text("# toy\n<!-- leaderboard:start -->\n<!-- leaderboard:end -->\n",
                                    encoding="utf-8")
    perfect = tmp_path / "perfect.jsonl"
    perfect.write_text("".join(json.dumps({"doc_id": d, "n_lines": n}) + "\n"
                               for d, n in (("t1", 2), ("t2", 2), ("t3", 3))), encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("One\n\nTwo", encoding="utf-8")
    ev, run, board, pred = _cli(tmp_path, [
        ["eval", "toy_lines", str(perfect), "--root", str(root), "--format", "json",
         "--resamples", "20"],
        ["baselines", "run", "--task", "toy_lines", "--root", str(root)],
        ["leaderboard", "--root", str(root), "--task", "toy_lines"],
        ["predict", "toy_lines", str(page)],
    ])
    assert ev["code"] == 0, ev["output"]
    result = json.loads(ev["output"])
    assert result["task_version"] == "0.1" and result["scores"] == {"accuracy": 1.0}
    assert run["code"] == 0, run["output"]
    summary = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    scores = {e["baseline"]: e["scores"]["accuracy"] for e in summary}
    # counting blank lines too is right only on t2, the page without any
    assert scores == {"toy-count": 1.0, "toy-every-line": 1 / 3}
    assert [e["baseline"] for e in summary] == ["toy-every-line", "toy-count"]  # declared order
    assert "toy_lines" in (root / "results" / "gold.md").read_text(encoding="utf-8")
    records = sorted(p.name for p in (root / "leaderboard" / "records").glob("*.json"))
    assert records == ["baseline-toy-count-toy-lines-test.json",
                       "baseline-toy-every-line-toy-lines-test.json"]
    assert board["code"] == 0, board["output"]
    assert "toy\\_lines (test, gold)" in board["output"] and "baseline toy-count" in board["output"]
    assert "toy\\_lines (test, gold)" in (root / "README.md").read_text(encoding="utf-8")
    assert pred["code"] == 0, pred["output"]  # the registry's default baseline for the task
    # the page's lines ride along (the roles or counts index them; --no-text drops them)
    assert json.loads(pred["output"]) == {"doc_id": "page", "n_lines": 2,
                                          "lines": ["One", "", "Two"]}


def test_an_unknown_task_is_an_error_everywhere(tmp_path):
    root = tmp_path / "project"
    write_rows(root, "segmentation", "test", PAGES)
    preds = tmp_path / "p.jsonl"
    preds.write_text('{"doc_id": "t1", "n_lines": 2}\n', encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("One", encoding="utf-8")
    # without the plugins the toy task does not exist
    results = _cli(tmp_path, [
        ["eval", "toy_lines", str(preds), "--root", str(root)],
        ["baselines", "run", "--task", "toy_lines", "--root", str(root)],
        ["predict", "toy_lines", str(page)],
    ], plugins=False)
    for r in results:
        assert r["code"] != 0, r
        assert "unknown task 'toy_lines'" in r["output"], r


# ---------------------------------------------------------------- no task names elsewhere
# Generic modules: everything but the task modules (presscut/tasks/), the baseline modules
# (baselines/, each registers itself under its task) and the schema. The baseline registry
# and estimator plumbing are generic too.
GENERIC = ("presscut", "builder", "baselines/registry.py", "baselines/estimator_io.py")
SKIP = ("presscut/tasks/", "presscut/schema.py")
# APIs that take a task name: a literal passed to them picks a task
TASK_APIS = frozenset({"get_task", "make", "create", "get", "default_for", "prepare", "run_one",
                       "specs", "plan", "run", "score_predictions", "evaluate",
                       "gold_predictions", "predict_pages", "submit"})


def _task_names() -> set[str]:
    from presscut.tasks import task_names

    return set(task_names())


def _name(node: ast.AST) -> str:
    return getattr(node, "attr", None) or getattr(node, "id", "")


def _switches(tree: ast.AST, names: set[str]) -> list[ast.Constant]:
    """Task-name literals used to pick behaviour by task (task names also occur as plain
    words, config names and column names: "source", "stance", "segmentation").

    Caught: a comparison with one (``task == "stance"``, ``task in ("a", "b")``), a table
    keyed by them or a list of them (two or more, all task names), and one passed to an API
    that takes a task (``get_task("stance")``, ``task="stance"``).
    """
    def is_task(n) -> bool:
        return isinstance(n, ast.Constant) and n.value in names

    found: list[ast.Constant] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                elts = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                found += [e for e in elts if is_task(e)]
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            if len(node.elts) >= 2 and all(is_task(e) for e in node.elts):
                found += node.elts
        elif isinstance(node, ast.Dict):
            keys = [k for k in node.keys if k is not None]
            if len(keys) >= 2 and all(is_task(k) for k in keys):
                found += keys
        elif isinstance(node, ast.Call):
            if _name(node.func) in TASK_APIS:
                found += [a for a in node.args if is_task(a)]
            found += [k.value for k in node.keywords
                      if k.arg in ("task", "task_name") and is_task(k.value)]
    return list({id(n): n for n in found}.values())


def _generic_files() -> list[Path]:
    files = []
    for entry in GENERIC:
        path = PROJECT / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [f for f in files if not f.relative_to(PROJECT).as_posix().startswith(SKIP)]


def test_no_generic_module_names_a_task():
    names = _task_names()
    found = []
    for path in _generic_files():
        rel = path.relative_to(PROJECT).as_posix()
        for node in _switches(ast.parse(path.read_text(encoding="utf-8")), names):
            found.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert not found, "task names picking behaviour outside task/baseline modules:\n" + \
        "\n".join(found)


def test_the_name_check_can_fail():
    """The check sees the switches it is there to catch, and lets words, columns, configs
    and help text through."""
    names = _task_names()
    code = '''
"""Docs may say segmentation."""
def f(task, typer, row, get_task, run):
    typer.Option(None, help="segmentation or stance")
    row["stance"] = {"source": "x", "where": 1}
    if task == "segmentation" or task in ("stance", "line_dedup"):
        return get_task("source")
    PLAN = {"article_dedup": 1, "story_clustering": 2}
    ORDER = ("segmentation", "source")
    return run(task="stance")
'''
    hits = sorted(n.value for n in _switches(ast.parse(code), names))
    assert hits == sorted(["segmentation", "stance", "line_dedup", "source", "article_dedup",
                           "story_clustering", "segmentation", "source", "stance"])
