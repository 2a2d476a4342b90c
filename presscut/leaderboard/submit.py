"""Score a predictions file and keep it, with who made it, as a re-scorable record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import presscut
from presscut.errors import PresscutError
from presscut.leaderboard.records import (
    _NAME_RE,
    MAX_PREDICTIONS_BYTES,
    Record,
    SystemInfo,
    record_path,
    record_slug,
    sha256_file,
    store_predictions,
    write_record,
)
from presscut.leaderboard.scoring import (
    EvaluateFn,
    finite_scores,
    metric_direction,
    run_evaluate,
)
from presscut.tasks import data_kinds

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise PresscutError("the submission clock must return an aware datetime")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _main_direction(task: str, result: dict) -> str:
    # the harness gives one direction per metric
    declared = (result.get("direction") or {}).get(result["main_score"])
    return declared if isinstance(declared, str) else metric_direction(task, result["main_score"])


def submit(
    task: str,
    predictions: Path,
    system: str,
    *,
    url: str | None = None,
    paper: str | None = None,
    description: str | None = None,
    contact: str | None = None,
    split: str | None = None,
    data: str = "gold",
    root: Path | None = None,
    compress: bool = False,
    replace: bool = False,
    evaluate_fn: EvaluateFn | None = None,
    clock: Clock = utc_now,
) -> Path:
    """Validate, score and record a submission; returns the record's path.

    Nothing is written unless the predictions score: a malformed file raises the
    harness's PredictionError and leaves ``leaderboard/`` untouched.
    """
    predictions = Path(predictions)
    info = SystemInfo(
        name=system, url=url, paper=paper, description=description, contact=contact
    ).validated("submission")
    problems = []
    if not _NAME_RE.match(task):
        problems.append(f"task {task!r} is not a task name")
    if split is not None and not _NAME_RE.match(split):
        problems.append(f"split {split!r} is not a split name")
    if data not in data_kinds():
        problems.append(f"data {data!r} is not one of {', '.join(data_kinds())}")
    if problems:
        raise PresscutError("invalid submission", problems)
    if not predictions.is_file():
        raise PresscutError(f"{predictions}: no such predictions file")
    size = predictions.stat().st_size
    if size > MAX_PREDICTIONS_BYTES:
        raise PresscutError(
            f"{predictions}: predictions file is {size} bytes, at most "
            f"{MAX_PREDICTIONS_BYTES} allowed"
        )

    sha_before = sha256_file(predictions)
    result = run_evaluate(evaluate_fn, task, predictions, split, data, root)
    slug = record_slug(info.name, task, result["split"], data)
    path = record_path(slug, root)
    if path.exists() and not replace:
        raise PresscutError(
            f"{path}: a record for this system, task and split exists already "
            "(pass --replace to overwrite it, or choose another system name)"
        )
    if sha256_file(predictions) != sha_before:
        raise PresscutError(f"{predictions}: the file changed while it was being scored")

    scores, ci = finite_scores(result)
    obj = Record(
        slug=slug,
        task=task,
        split=str(result["split"]),
        data=data,
        system=info,
        task_version=str(result["task_version"]),
        data_fingerprint=str(result["data_fingerprint"]),
        package_version=str(result.get("package_version") or presscut.__version__),
        predictions_sha256=sha_before,
        predictions_bytes=size,
        main_score=result["main_score"],
        scores=scores,
        ci=ci,
        n_items=int(result.get("n_items", 0)),
        submitted_at=iso_utc(clock()),
        direction=_main_direction(task, result),
    ).to_json()
    # through the same checks a record read from disk gets, before anything is
    # written: NaN scores, odd metric names or a wrong split from the harness fail here
    record = Record.from_json(obj, f"result of scoring {predictions}")
    if store_predictions(predictions, root, compress=compress) != sha_before:
        raise PresscutError(f"{predictions}: the file changed while it was being stored")
    return write_record(record, root)


def refresh_board(root: Path | None = None, evaluate_fn: EvaluateFn | None = None) -> list[Path]:
    """Regenerate every board file a record changes, exactly as CI's ``presscut baselines
    run`` does (the README's leaderboard section and ``leaderboard/index.html``), so that a
    submission's pull request passes the reproduction diff. Returns the files changed."""
    from presscut import paths
    from presscut.leaderboard.html_page import render_html
    from presscut.leaderboard.markdown import render_markdown, update_readme
    from presscut.leaderboard.records import load_records
    from presscut.leaderboard.verify import current_states

    root = root or paths.project_root()
    records = load_records(root)
    current = current_states(records, root, evaluate_fn) if records else {}
    changed = []
    readme = root / "README.md"
    if readme.is_file() and update_readme(readme, render_markdown(records, current)):
        changed.append(readme)
    page = paths.leaderboard_dir(root) / "index.html"
    html = render_html(records, current)
    if not page.is_file() or page.read_text(encoding="utf-8") != html:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(html, encoding="utf-8")
        changed.append(page)
    return changed
