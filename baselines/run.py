"""Train every baseline, predict, score through the harness, and write the results tables.

What runs is declared data (``PLAN``); each task family has one small runner that
knows which data to fit on and which to predict. Thresholds and models are fitted on
train/validation data only — gold test pages, and the gold collection that the
collection tasks are scored on, are never used for fitting or tuning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from presscut import paths
from presscut.baselines.collection_data import read_articles, read_pages, read_stance_pairs
from presscut.baselines.registry import make, training_pages
from presscut.baselines.registry_collection import FIT_SPLITS, prepare
from presscut.harness.evaluate import score_predictions
from presscut.harness.tasks import get_task
from presscut.schema import ROLES, SPLITS

SEED = 0
# Learned segmenters fit on at most this many pages (an even spread over gold + synthetic
# train); more adds minutes to every run for no measured gain on validation.
MAX_TRAIN_PAGES = 2000

# task → baselines, in the order the tables show them (trivial systems first)
PLAN: dict[str, tuple[str, ...]] = {
    "segmentation": ("seg-keep-all", "seg-first-title", "seg-justext", "seg-rules", "seg-learned"),
    "line_dedup": ("dedup-exact", "dedup-near"),
    "article_dedup": ("exact-hash", "minhash-lsh", "tfidf-agglomerative"),
    "story_clustering": ("tfidf-agglomerative",),
    "stance": ("always-unrelated", "features-logreg", "features-gbdt"),
    "source": ("outlet-rule", "char-ngram"),
}
# Optional peers that need the `presscut[neural]` extra (`--neural`); not in the default run,
# so the committed tables reproduce on a core install.
NEURAL_PLAN: dict[str, tuple[str, ...]] = {
    "story_clustering": ("minilm-agglomerative",),
    "stance": ("minilm-logreg",),
}
# Known limits of a baseline's gold score, shown beside it in every table.
CAVEATS: dict[str, str] = {
    "seg-rules": "cues written after reading all five gold pages, test page included: not a held-out score",
    "seg-learned": "line features designed after reading all five gold pages: not fully held out",
    "seg-justext": "jusText defaults; lines under 70 chars count as short",
    "outlet-rule": "evidence patterns written after reading the gold pages, test page included",
}
@dataclass
class Result:
    task: str
    baseline: str
    data: str
    split: str
    result: dict  # the harness's result
    predictions: list[dict]
    notes: str = ""


# ------------------------------------------------------------------ data
def _rows(path: Path, columns: list[str] | None = None) -> list[dict]:
    return pq.read_table(path, columns=columns).to_pylist() if path.is_file() else []


def _files(root: Path | None, config: str, split: str) -> list[Path]:
    base = paths.splits_dir(root) / config
    return [base / f"{s}.parquet" for s in (SPLITS if split == "all" else (split,))]


def seg_pages(root: Path | None, data: str, split: str) -> list[dict]:
    config = "synthetic" if data == "synthetic" else "segmentation"
    out = []
    for f in _files(root, config, split):
        for row in _rows(f, ["doc_id", "lines", "roles", "articles"]):
            out.append(
                {
                    "doc_id": row["doc_id"],
                    "lines": row["lines"],
                    "roles": [ROLES[r] for r in row["roles"]],
                    "articles": [[a["start_line"], a["end_line"]] for a in row["articles"]],
                }
            )
    return out


# ------------------------------------------------------------------ runners
def _spread(items: list, n: int) -> list:
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(k * step)] for k in range(n)]


def _score(task, name, data, split, preds, root, notes="") -> Result:
    result = score_predictions(task, preds, split=split, data=data, root=root)
    if data == "gold" and name in CAVEATS:
        notes = "; ".join(x for x in (notes, CAVEATS[name]) if x)
    return Result(task, name, data, result["split"], result, preds, notes)


def run_page_task(task: str, name: str, root: Path | None) -> list[Result]:
    model = make(task, name, **({"random_state": SEED} if name == "seg-learned" else {}))
    train = _spread(training_pages(root), MAX_TRAIN_PAGES) if name == "seg-learned" else []
    model.fit(train)
    out = []
    for data in ("gold", "synthetic"):
        pages = [{"doc_id": p["doc_id"], "lines": p["lines"]} for p in seg_pages(root, data, "test")]
        out.append(_score(task, name, data, "test", model.predict(pages), root))
    return out


def run_cluster_task(task: str, name: str, root: Path | None) -> list[Result]:
    field = "dup_cluster" if task == "article_dedup" else "story_cluster"
    model = prepare(task, name, root)
    param = getattr(model, "tune_param", "")
    notes = f"{param}={model.get_params()[param]} (tuned on synthetic validation)" if param else ""
    out = []
    for data, split in (("gold", "all"), ("synthetic", "test")):
        arts, _, _ = read_articles(root, data, SPLITS if split == "all" else (split,))
        out.append(_score(task, name, data, split, model.predict_records(arts, field), root, notes))
    return out


def run_stance(name: str, root: Path | None) -> list[Result]:
    model = prepare("stance", name, root)
    test, _ = read_stance_pairs(root, ("test",))
    n = len(read_stance_pairs(root, FIT_SPLITS)[0])
    return [_score("stance", name, "gold", "test", model.predict_records(test), root,
                   f"fitted on {n} gold train+validation pairs")]


def run_source(name: str, root: Path | None) -> list[Result]:
    model = prepare("source", name, root)
    test, _ = read_pages(root, ("test",))
    _, outlets = read_pages(root, FIT_SPLITS)
    named = sum(o is not None for o in outlets)
    return [_score("source", name, "gold", "test", model.predict_records(test), root,
                   f"fitted on {len(outlets)} gold train+validation pages ({named} with an outlet)")]


def run_one(task: str, name: str, root: Path | None = None) -> list[Result]:
    if task in ("segmentation", "line_dedup"):
        return run_page_task(task, name, root)
    if task in ("article_dedup", "story_clustering"):
        return run_cluster_task(task, name, root)
    if task == "stance":
        return run_stance(name, root)
    return run_source(name, root)


def plan(tasks: list[str] | None = None, neural: bool = False) -> list[tuple[str, str]]:
    return [
        (task, name)
        for task in tasks or list(PLAN)
        for name in PLAN[task] + (NEURAL_PLAN.get(task, ()) if neural else ())
    ]


def run(tasks: list[str] | None = None, root: Path | None = None, progress=None,
        neural: bool = False) -> list[Result]:
    results = []
    for task, name in plan(tasks, neural):
        if progress:
            progress(task, name)
        results.extend(run_one(task, name, root))
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
    for task in PLAN:
        rows = [r for r in summary if r["task"] == task and r["data"] == data]
        if not rows:
            continue
        t = get_task(task)
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
    rerun = set(tasks or PLAN)
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
    order = {t: i for i, t in enumerate(PLAN)}
    names = {t: PLAN[t] + NEURAL_PLAN.get(t, ()) for t in PLAN}
    summary.sort(key=lambda e: (order[e["task"]], names[e["task"]].index(e["baseline"]), e["data"]))
    (base / "results.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    for data in ("gold", "synthetic"):
        (base / f"{data}.md").write_text(results_markdown(summary, data), encoding="utf-8")
    return base
