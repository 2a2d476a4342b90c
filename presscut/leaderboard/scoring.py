"""The one door from the leaderboard to the harness: run ``evaluate`` and check its answer."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from presscut.errors import PresscutError

EvaluateFn = Callable[..., dict]

RESULT_KEYS = ("task", "task_version", "split", "data", "data_fingerprint", "main_score", "scores")


def default_evaluate() -> EvaluateFn:
    from presscut.harness.evaluate import evaluate

    return evaluate


def metric_direction(task: str, metric: str) -> str:
    """"higher" or "lower" (is better), as the task declares it (unknown task: an error)."""
    from presscut.tasks import get_task

    return get_task(task).direction(metric)


def task_order() -> tuple[str, ...]:
    """Tasks in their declared display order."""
    from presscut.tasks import task_names

    return tuple(task_names())


def run_evaluate(
    evaluate_fn: EvaluateFn | None,
    task: str,
    predictions: Path,
    split: str | None,
    data: str,
    root: Path | None,
) -> dict:
    """Score ``predictions``; PredictionError from the harness passes through unchanged."""
    fn = evaluate_fn or default_evaluate()
    kwargs: dict = {"data": data, "root": root}
    if split is not None:
        # left out otherwise, so each task keeps its own default split ("all" for
        # the collection-wide tasks) instead of being forced onto "test"
        kwargs["split"] = split
    result = fn(task, predictions, **kwargs)
    missing = [k for k in RESULT_KEYS if k not in result]
    if missing:
        raise PresscutError(f"the harness returned a result without {', '.join(missing)}")
    return result


def _finite(value: object) -> object:
    # JSON has no NaN; an undefined metric (e.g. Pk on one-segment pages) is null
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def finite_scores(result: dict) -> tuple[dict, dict]:
    """``scores`` and ``ci`` of a harness result as plain JSON values, NaN as None."""
    scores = {str(k): _finite(float(v)) if v is not None else None
              for k, v in result["scores"].items()}
    ci = {
        str(k): [_finite(float(x)) if x is not None else None for x in v]
        for k, v in (result.get("ci") or {}).items()
    }
    return scores, ci
