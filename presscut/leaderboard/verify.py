"""Re-score every submission record from its stored predictions.

A record passes when its predictions are still there byte for byte and scoring them
again gives the stored numbers. A record made on other data or another task version is
STALE: its numbers may be right, but they are not comparable with current ones.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.progress import Progress

from presscut.errors import PresscutError
from presscut.leaderboard import scoring
from presscut.leaderboard.records import (
    Record,
    iter_record_paths,
    load_record,
    read_predictions_bytes,
    stored_predictions,
)
from presscut.leaderboard.scoring import EvaluateFn, finite_scores, run_evaluate

TOLERANCE = 1e-9

OK = "ok"
STALE = "stale"
MISMATCH = "mismatch"
MISSING = "missing"
TAMPERED = "tampered"
INVALID = "invalid"
UNSCORABLE = "unscorable"

GroupKey = tuple[str, str, str]  # task, split, data


@dataclass(frozen=True)
class State:
    """What scores are comparable against: the task version and the data fingerprint."""

    task_version: str
    data_fingerprint: str


@dataclass(frozen=True)
class Check:
    path: Path
    status: str
    detail: str = ""
    record: Record | None = None

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def passed(self) -> bool:
        return self.status == OK


def group_key(record: Record) -> GroupKey:
    return (record.task, record.split, record.data)


def record_state(record: Record) -> State:
    return State(record.task_version, record.data_fingerprint)


class _Fail(Exception):
    def __init__(self, status: str, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _score_stored(record: Record, root: Path | None, evaluate_fn: EvaluateFn) -> dict:
    """Evaluate a record's stored predictions; raises PresscutError when they are gone."""
    stored = stored_predictions(record.predictions_sha256, root)
    if stored is None:
        raise _Fail(MISSING, f"predictions {record.predictions_sha256}.jsonl[.gz] not found")
    data = read_predictions_bytes(stored)
    actual = hashlib.sha256(data).hexdigest()
    if actual != record.predictions_sha256:
        raise _Fail(TAMPERED, f"{stored.name}: sha256 is {actual}, record says "
                              f"{record.predictions_sha256}")
    if not stored.name.endswith(".gz"):
        return run_evaluate(evaluate_fn, record.task, stored, record.split, record.data, root)
    with tempfile.TemporaryDirectory(prefix="presscut-verify-") as tmp:
        plain = Path(tmp) / f"{record.predictions_sha256}.jsonl"
        plain.write_bytes(data)
        return run_evaluate(evaluate_fn, record.task, plain, record.split, record.data, root)


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return not math.isclose(a, b, rel_tol=0.0, abs_tol=TOLERANCE)


def compare(record: Record, result: dict) -> list[str]:
    """Every way the re-scored ``result`` disagrees with the stored ``record``."""
    diffs: list[str] = []
    scores, ci = finite_scores(result)
    if result["main_score"] != record.main_score:
        diffs.append(f"main_score: stored {record.main_score!r}, re-scored {result['main_score']!r}")
    for name in sorted(set(scores) | set(record.scores)):
        if name not in scores or name not in record.scores:
            diffs.append(f"scores.{name}: present in only one of stored / re-scored")
        elif _differs(record.scores[name], scores[name]):
            diffs.append(f"scores.{name}: stored {record.scores[name]!r}, re-scored {scores[name]!r}")
    for name in sorted(set(ci) | set(record.ci)):
        stored, fresh = record.ci.get(name), ci.get(name)
        if stored is None or fresh is None:
            diffs.append(f"ci.{name}: present in only one of stored / re-scored")
        elif any(_differs(a, b) for a, b in zip(stored, fresh)):
            diffs.append(f"ci.{name}: stored {stored}, re-scored {fresh}")
    n_items = int(result.get("n_items", 0))
    if n_items != record.n_items:
        diffs.append(f"n_items: stored {record.n_items}, re-scored {n_items}")
    return diffs


def verify(
    root: Path | None = None,
    evaluate_fn: EvaluateFn | None = None,
    paths: Iterable[Path] | None = None,
    progress: bool = False,
) -> list[Check]:
    """One Check per record file under ``leaderboard/records`` (or per given path)."""
    record_paths = list(paths if paths is not None else iter_record_paths(root))
    # an empty board verifies without the harness (and without the data) at hand
    fn = evaluate_fn or (scoring.default_evaluate() if record_paths else None)
    checks: list[Check] = []
    states: dict[GroupKey, State] = {}
    with Progress(transient=True, disable=not progress) as bar:
        job = bar.add_task("re-scoring submissions", total=len(record_paths))
        for path in record_paths:
            checks.append(_check_one(path, root, fn, states))
            bar.advance(job)
    # a record whose predictions no longer validate is stale when others in its
    # group show that the data or task moved on since it was made
    for i, check in enumerate(checks):
        if check.status == UNSCORABLE and check.record is not None:
            current = states.get(group_key(check.record))
            if current is not None and current != record_state(check.record):
                checks[i] = Check(check.path, STALE, _stale_detail(check.record, current)
                                  + f"; its predictions no longer score ({check.detail})",
                                  check.record)
    return checks


def _stale_detail(record: Record, current: State) -> str:
    parts = []
    if record.task_version != current.task_version:
        parts.append(f"task version {record.task_version} -> {current.task_version}")
    if record.data_fingerprint != current.data_fingerprint:
        parts.append(
            f"data fingerprint {record.data_fingerprint[:12]} -> {current.data_fingerprint[:12]}"
        )
    return "made on other data/task: " + ", ".join(parts)


def _check_one(path: Path, root: Path | None, fn: EvaluateFn, states: dict) -> Check:
    try:
        record = load_record(path)
    except PresscutError as err:
        return Check(path, INVALID, err.render(limit=5))
    try:
        result = _score_stored(record, root, fn)
    except _Fail as fail:
        return Check(path, fail.status, fail.detail, record)
    except PresscutError as err:
        return Check(path, UNSCORABLE, err.render(limit=3), record)
    current = State(str(result["task_version"]), str(result["data_fingerprint"]))
    states[group_key(record)] = current
    if current != record_state(record):
        return Check(path, STALE, _stale_detail(record, current), record)
    diffs = compare(record, result)
    if diffs:
        return Check(path, MISMATCH, "; ".join(diffs), record)
    return Check(path, OK, f"{record.main_score} = {record.main_value}", record)


def current_states(
    records: Iterable[Record], root: Path | None = None, evaluate_fn: EvaluateFn | None = None
) -> dict[GroupKey, State | None]:
    """The state each (task, split, data) is scored on now, found by re-scoring one record.

    The newest record of a group is tried first; None when no record of the group can be
    scored any more (then all of them are stale).
    """
    fn = evaluate_fn or scoring.default_evaluate()
    groups: dict[GroupKey, list[Record]] = {}
    for record in records:
        groups.setdefault(group_key(record), []).append(record)
    out: dict[GroupKey, State | None] = {}
    for key, members in groups.items():
        out[key] = None
        for record in sorted(members, key=lambda r: r.submitted_at, reverse=True):
            try:
                result = _score_stored(record, root, fn)
            except (_Fail, PresscutError):
                continue
            out[key] = State(str(result["task_version"]), str(result["data_fingerprint"]))
            break
    return out
