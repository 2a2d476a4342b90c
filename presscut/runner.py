"""Train every registered baseline, predict, score through the harness, write results/.

What runs is the baseline registry; what each baseline is fitted on, what it predicts
and which (data, split) it is scored on is its task's business
(:meth:`presscut.tasks.Task.prepare`, :meth:`~presscut.tasks.Task.inputs`,
``Task.runs``). Thresholds and models are fitted on train/validation data only — gold
test pages, and the gold collection that the collection tasks are scored on, are
never used for fitting or tuning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from presscut import paths
from presscut.baselines.registry import BaselineSpec, get, prepare, ready, specs
from presscut.errors import PresscutError
from presscut.harness.evaluate import score_predictions
from presscut.tasks import GOLD, all_tasks, data_kinds, get_task


@dataclass
class Result:
    task: str
    baseline: str
    data: str
    split: str
    result: dict  # the harness's result
    predictions: list[dict]
    notes: str = ""


def run_spec(spec: BaselineSpec, root: Path | None = None) -> list[Result]:
    """Fit/tune one baseline, then predict and score it on each of its task's runs."""
    task = get_task(spec.task)
    model, notes = prepare(spec, root)
    out = []
    for r in task.runs:
        preds = model.predict(task.inputs(root, r.data, r.split))
        result = score_predictions(task.name, preds, split=r.split, data=r.data, root=root)
        shown = notes
        if r.data == GOLD and spec.caveat:
            shown = "; ".join(x for x in (notes, spec.caveat) if x)
        out.append(Result(task.name, spec.name, r.data, result["split"], result, preds, shown))
    return out


def run_one(task: str, name: str, root: Path | None = None) -> list[Result]:
    return run_spec(get(task, name), root)


def plan(tasks: list[str] | None = None, extras: Iterable[str] = ()) -> list[BaselineSpec]:
    """The baselines a run covers, in table order (unknown tasks and extras are errors)."""
    wanted = [get_task(t).name for t in tasks] if tasks else None
    extras = tuple(extras)
    known = {e for s in specs() for e in s.extras if s.optional}
    unknown = sorted(set(extras) - known)
    if unknown:
        raise PresscutError(f"no optional baseline needs the extra(s) {', '.join(unknown)}; "
                            f"extras with optional baselines: {', '.join(sorted(known))}")
    return [s for s in specs(extras=extras) if wanted is None or s.task in wanted]


def run(tasks: list[str] | None = None, root: Path | None = None, progress=None,
        extras: Iterable[str] = ()) -> list[Result]:
    results = []
    for spec in plan(tasks, extras):
        if progress:
            progress(spec.task, spec.name)
        results.extend(run_spec(spec, root))
    return results


# ------------------------------------------------------------------ tables
def _fmt(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def _fmt_count(x) -> str:
    return "–" if x is None else f"{x:.0f}"


def _level_label(metric: str) -> str:
    # "recall_level_2" → "recall L2": short headers keep the wider tables readable
    return metric.replace("_level_", " L")


def results_markdown(summary: list[dict], data: str) -> str:
    """One table per task: main score with its 95% CI, then the task's other headline
    metrics, then any breakdown (e.g. dedup recall by edit level) the data supports."""
    parts = []
    for t in all_tasks():
        task = t.name
        rows = [r for r in summary if r["task"] == task and r["data"] == data]
        if not rows:
            continue
        extra = [
            m for m in t.metrics
            if m != t.main_score
            and m not in t.breakdown_metrics
            and not m.endswith(("_precision", "_recall"))
            and not m.startswith(("f1_", "role_f1_"))
        ][:5]
        # breakdowns exist only where the data records them (edit levels: synthetic); a
        # slice without items keeps its column, as "–"
        shown = list(t.breakdown_metrics) if any(
            r["scores"].get(m) is not None for r in rows for m in t.breakdown_metrics) else []
        by_level = [m for m in shown if m not in t.counts]
        counts = [m for m in shown if m in t.counts]
        head = (f"**{task}** ({data} {rows[0]['split']}, n={rows[0]['n_items']} {t.item}s; "
                f"main score `{t.main_score}`)\n\n")
        if counts:
            # gold pair counts are the same for every baseline: said once, under the title
            n_pairs = " / ".join(_fmt_count(rows[0]["scores"].get(m)) for m in counts)
            head += (f"Pair recall by edit level L0–L{len(counts) - 1} (a pair is as hard "
                     f"as its more edited article); gold pairs per level: {n_pairs}.\n\n")
        cols = ["baseline", f"{t.main_score} [95% CI]", *extra,
                *(_level_label(m) for m in by_level), "notes"]
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for r in rows:
            s, ci = r["scores"], r["ci"].get(t.main_score)
            main = _fmt(s[t.main_score]) + (f" [{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else "")
            cells = [f"`{r['baseline']}`", main, *(_fmt(s.get(m)) for m in (*extra, *by_level)),
                     r["notes"]]
            lines.append("| " + " | ".join(cells) + " |")
        parts.append(head + "\n".join(lines) + "\n")
    return "\n".join(parts)


def results_dir(root: Path | None = None) -> Path:
    return (root or paths.project_root()) / "results"


def read_summary(root: Path | None = None) -> list[dict]:
    path = results_dir(root) / "results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def write_results(results: list[Result], root: Path | None = None,
                  tasks: list[str] | None = None) -> Path:
    """results/results.json (entries of other tasks kept), Markdown tables, predictions."""
    base = results_dir(root)
    (base / "predictions").mkdir(parents=True, exist_ok=True)
    rerun = set(tasks or [t.name for t in all_tasks()])
    summary = [e for e in read_summary(root) if e["task"] not in rerun]
    for r in results:
        pred_file = base / "predictions" / f"{r.task}.{r.baseline}.{r.data}.jsonl"
        pred_file.write_text(
            "".join(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n" for p in r.predictions),
            encoding="utf-8",
        )
        res = {k: v for k, v in r.result.items() if k != "per_item"}
        summary.append({"task": r.task, "baseline": r.baseline, "data": r.data, "notes": r.notes,
                        "predictions": str(pred_file.relative_to(base.parent)), **res})
    position = {(s.task, s.name): i for i, s in enumerate(specs())}
    # an entry of a baseline no longer registered sorts last (and is kept: it was not rerun)
    summary.sort(key=lambda e: (position.get((e["task"], e["baseline"]), len(position)),
                                e["task"], e["baseline"], e["data"]))
    (base / "results.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    for data in data_kinds():
        (base / f"{data}.md").write_text(results_markdown(summary, data), encoding="utf-8")
    return base


# ------------------------------------------------------------------ predict
def predict_pages(task: str, pages: list[dict], model: str | None = None,
                  root: Path | None = None) -> list[dict]:
    """Prediction records of ``task`` for raw pages ``{"doc_id", "lines"}``.

    ``model`` is a saved model (a path), a baseline name, or None for the task's default
    baseline; a named or default baseline is its committed fitted model, or fitted the
    way ``presscut baselines run`` fits it once and then loaded (``registry.ready``).
    """
    from presscut.baselines.registry import default_for

    t = get_task(task)
    if not t.predicts_pages:
        readers = ", ".join(x.name for x in all_tasks() if x.predicts_pages)
        raise PresscutError(f"predict works on pages: task must be one of {readers}, "
                            f"not {task!r}")
    if model is not None and Path(model).exists():
        from presscut.baselines.segment_common import load

        estimator = load(model)
    else:
        spec = default_for(t.name) if model is None else get(t.name, model)
        estimator = ready(spec, root)
    return estimator.predict(t.page_inputs(pages))
