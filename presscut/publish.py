"""Publish baseline results: README and dataset-card tables, and leaderboard entries.

The baselines are the leaderboard's first entries. A baseline whose predictions,
data and task version are unchanged keeps its record (and its date), so re-running
the baselines on an unchanged dataset changes no file.
"""

from __future__ import annotations

from pathlib import Path

from presscut import paths
from presscut.builder.docs import replace_between
from presscut.runner import Result, read_summary, results_dir, results_markdown

RESULTS_START, RESULTS_END = "<!-- results:start -->", "<!-- results:end -->"
SYSTEM_PREFIX = "baseline"


def results_section(summary: list[dict]) -> str:
    return (
        "### Gold test\n\nScored on the gold test split (article dedup and story clustering: "
        "the whole gold collection).\n\n" + results_markdown(summary, "gold")
        + "\n### Synthetic test\n\nScored on the synthetic test split (pages composed from "
        "articles no train or validation page uses).\n\n" + results_markdown(summary, "synthetic")
    )


def update_result_docs(root: Path | None = None) -> None:
    root = root or paths.project_root()
    section = results_section(read_summary(root))
    for name in ("README.md", "dataset_card.md"):
        path = root / name
        if path.exists():
            text = path.read_text(encoding="utf-8")
            path.write_text(replace_between(text, RESULTS_START, RESULTS_END, section),
                            encoding="utf-8")


def submit_baselines(results: list[Result], root: Path | None = None) -> list[Path]:
    from presscut.leaderboard.records import load_record, record_path, record_slug, sha256_file
    from presscut.leaderboard.scoring import finite_scores
    from presscut.leaderboard.submit import submit

    written = []
    for r in results:
        system = f"{SYSTEM_PREFIX} {r.baseline}"
        pred_file = results_dir(root) / "predictions" / f"{r.task}.{r.baseline}.{r.data}.jsonl"
        path = record_path(record_slug(system, r.task, r.split, r.data), root)
        if path.exists():
            old = load_record(path)
            # same predictions scored the same way: keep the record (and its date)
            if (old.predictions_sha256 == sha256_file(pred_file)
                    and old.data_fingerprint == r.result["data_fingerprint"]
                    and old.task_version == r.result["task_version"]
                    and (old.scores, old.ci) == finite_scores(r.result)):
                continue
        written.append(submit(
            r.task, pred_file, system, split=r.split, data=r.data, root=root, replace=True,
            description=f"presscut reference baseline `{r.baseline}`. {r.notes}".strip(),
        ))
    return written


def write_board_page(root: Path) -> Path:
    """leaderboard/index.html: the browsable board, committed beside the records."""
    from presscut.leaderboard.html_page import render_html
    from presscut.leaderboard.records import load_records
    from presscut.leaderboard.verify import current_states

    records = load_records(root)
    path = root / "leaderboard" / "index.html"
    path.write_text(render_html(records, current_states(records, root)), encoding="utf-8")
    return path


def publish(results: list[Result], root: Path | None = None, *, readme: bool = True,
            submit: bool = True) -> None:
    root = root or paths.project_root()
    if submit:
        from presscut.leaderboard.markdown import update_readme
        from presscut.leaderboard.records import prune_predictions

        if submit_baselines(results, root):
            prune_predictions(root)

        update_readme(root / "README.md", root=root)
        write_board_page(root)
    if readme:
        update_result_docs(root)
