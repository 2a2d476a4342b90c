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
    fitted: dict[str, tuple] = {}  # one fit per training set, shared by its runs
    out = []
    for r in task.runs:
        if r.fit not in fitted:
            fitted[r.fit] = prepare(spec, root, r.fit)
        model, notes = fitted[r.fit]
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
    # an extra the default run already needs (peers) is accepted and changes nothing
    known = {e for s in specs() for e in s.extras}
    unknown = sorted(set(extras) - known)
    if unknown:
        raise PresscutError(f"no baseline needs the extra(s) {', '.join(unknown)}; "
                            f"extras baselines need: {', '.join(sorted(known))}")
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


def _half_width(ci) -> str:
    return "–" if not ci or None in ci else f"±{(ci[1] - ci[0]) / 2:.3f}"


def group_names(rows: list[dict]) -> list[str]:
    """The groups (sources) of a pooled set, held-out ones last, each in name order."""
    held: dict[str, bool] = {}
    for r in rows:  # rows scored outside the harness may not say; any row that does counts
        for g, v in r.get("groups", {}).items():
            held[g] = held.get(g, False) or bool(v.get("held_out"))
    return sorted(held, key=lambda g: (held[g], g))


def group_label(rows: list[dict], g: str) -> str:
    held = any(r.get("groups", {}).get(g, {}).get("held_out") for r in rows)
    return f"{g} (out-of-source)" if held else g


def grouped_main_table(t, rows: list[dict], extra_rows: list[dict] = ()) -> str:
    """Main score pooled (95% CI and its half-width) and per group, one row a baseline.

    ``extra_rows`` (same shape: ``baseline``, ``scores``, ``ci``, ``groups``, ``notes``)
    are shown below, e.g. systems scored outside the harness on the same items.
    """
    ms = t.main_score
    names = group_names([*rows, *extra_rows])
    cols = ["baseline", f"{ms} pooled [95% CI]", "± (CI half-width)",
            *(group_label(rows, g) for g in names), "notes"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in [*rows, *extra_rows]:
        s, ci = r["scores"], r["ci"].get(ms)
        main = _fmt(s.get(ms)) + (f" [{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else "")
        groups = r.get("groups", {})
        cells = [r.get("label") or f"`{r['baseline']}`", main, _half_width(ci),
                 *(_fmt(groups[g]["scores"].get(ms)) if g in groups else "–" for g in names),
                 r["notes"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def grouped_metrics_table(t, rows: list[dict]) -> str:
    """The task's ``group_metrics`` pooled and per group (only groups that have them)."""
    names = group_names(rows)
    cols, keys = ["baseline"], []
    for metric in t.group_metrics:
        if all(r["scores"].get(metric) is None for r in rows):
            continue
        cols.append(f"{metric} pooled")
        keys.append((metric, None))
        for g in names:
            if any(r.get("groups", {}).get(g, {}).get("scores", {}).get(metric) is not None
                   for r in rows):
                cols.append(f"{metric}: {g}")
                keys.append((metric, g))
    if not keys:
        return ""
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = [f"`{r['baseline']}`"]
        for metric, g in keys:
            src = r["scores"] if g is None else r.get("groups", {}).get(g, {}).get("scores", {})
            cells.append(_fmt(src.get(metric)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _grouped_head(t, rows: list[dict], data: str) -> str:
    r0 = rows[0]
    sizes = ", ".join(f"{group_label(rows, g)} {r0['groups'][g]['n_items']}"
                      for g in group_names(rows) if g in r0["groups"])
    return (f"**{t.name}** ({data} {r0['split']}, n={r0['n_items']} {t.item}s: {sizes}; "
            f"main score `{t.main_score}`, macro over {t.item}s)\n\n")


def results_markdown(summary: list[dict], data: str,
                     extra_rows: dict[str, list[dict]] | None = None) -> str:
    """One table per task: main score with its 95% CI, then the task's other headline
    metrics, then any breakdown (e.g. dedup recall by edit level) the data supports.

    Where the items fall into groups (the sources of the real pages), the main score is
    shown pooled and per group, then the task's ``group_metrics`` per group;
    ``extra_rows[task]`` are rows shown below that task's baselines (see
    :func:`grouped_main_table`)."""
    parts = []
    for t in all_tasks():
        task = t.name
        rows = [r for r in summary if r["task"] == task and r["data"] == data]
        if not rows:
            continue
        if any(r.get("groups") for r in rows):
            extra = (extra_rows or {}).get(task, [])
            parts.append(_grouped_head(t, rows, data) + grouped_main_table(t, rows, extra)
                         + "\n" + grouped_metrics_table(t, rows))
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
    way ``presscut baselines run`` fits it once and then loaded (``registry.ready``). A
    committed default is loaded straight from its folder, without the registry's look-up
    of every baseline module, so labelling one page starts fast.
    """
    return page_predictor(task, model, root)(pages)


def page_predictor(task: str, model: str | None = None, root: Path | None = None):
    """``predict_pages`` with the model loaded once: a function of a list of raw pages, for
    callers that feed a large folder through it in chunks."""
    from presscut.baselines.estimator_io import load
    from presscut.baselines.registry import committed_default, default_for

    t = get_task(task)
    if not t.predicts_pages:
        readers = ", ".join(x.name for x in all_tasks() if x.predicts_pages)
        raise PresscutError(f"predict works on pages: task must be one of {readers}, "
                            f"not {task!r}")
    default_dir = committed_default(t.name, root) if model is None else None
    if model is not None and Path(model).exists():
        estimator = load(model)
    elif default_dir is not None:
        estimator = load(default_dir)
    else:
        spec = default_for(t.name) if model is None else get(t.name, model)
        estimator = ready(spec, root)
    return lambda pages: estimator.predict(t.page_inputs(pages))


# ------------------------------------------------------------------ rankings
def _ranks(rows: list[dict], metric: str, higher: bool) -> dict[str, tuple[int, float]]:
    """Competition ranks (1, 2, 2, 4) of the baselines by ``metric`` at the shown precision."""
    scored = {r["baseline"]: round(r["scores"][metric], 3) for r in rows
              if r["scores"].get(metric) is not None}
    out = {}
    for b, v in scored.items():
        better = sum(1 for w in scored.values() if (w > v if higher else w < v))
        out[b] = (1 + better, v)
    return out


def ranks_markdown(summary: list[dict]) -> str:
    """Per task scored on two or more kinds of data: each baseline's rank by the main score
    on each kind side by side, then every pair of baselines that a kind orders the other
    way round from the first kind (the real pages where a task has them)."""
    parts = []
    for t in all_tasks():
        kinds = [k for k in data_kinds()
                 if any(r["task"] == t.name and r["data"] == k for r in summary)]
        if len(kinds) < 2:
            continue
        ms, higher = t.main_score, t.direction(t.main_score) == "higher"
        ranks = {k: _ranks([r for r in summary if r["task"] == t.name and r["data"] == k],
                           ms, higher) for k in kinds}
        ref = kinds[0]
        names = sorted(ranks[ref], key=lambda b: (ranks[ref][b][0], b))
        names += sorted({b for k in kinds for b in ranks[k]} - set(names))
        cols = ["baseline", *(f"rank on {k} (`{ms}`)" for k in kinds)]
        lines = [f"**{t.name}** (rank 1 = best; equal scores share a rank)\n",
                 "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for b in names:
            cells = [f"`{b}`"]
            for k in kinds:
                rk = ranks[k].get(b)
                cells.append("–" if rk is None else f"{rk[0]} ({rk[1]:.3f})")
            lines.append("| " + " | ".join(cells) + " |")
        text = "\n".join(lines) + "\n"
        for k in kinds[1:]:
            both = [b for b in names if b in ranks[ref] and b in ranks[k]]
            flips = [(a, b) for i, a in enumerate(both) for b in both[i + 1:]
                     if ranks[ref][a][0] < ranks[ref][b][0] and ranks[k][a][0] > ranks[k][b][0]]
            if not flips:
                text += f"\nThe {k} ranking agrees with the {ref} one on every pair it orders.\n"
                continue
            said = "; ".join(
                f"`{b}` above `{a}` ({ranks[k][b][1]:.3f} vs {ranks[k][a][1]:.3f}; on {ref} "
                f"{ranks[ref][b][1]:.3f} vs {ranks[ref][a][1]:.3f})" for a, b in flips)
            text += (f"\n**The {k} ranking disagrees with the {ref} one** on {len(flips)} of "
                     f"{len(both) * (len(both) - 1) // 2} pairs: {k} puts {said}.\n")
        parts.append(text)
    return "\n".join(parts)
