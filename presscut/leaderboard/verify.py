"""Re-score every submission record from its stored predictions.

A record passes when its predictions are still there byte for byte (sha256 and size),
scoring them again gives the stored numbers, its name, slug and metric direction are the
ones the task and system imply, and no earlier record holds the same predictions. A record
made on older data or another task version is STALE: its numbers may be right, but they
are not comparable with current ones; its state must be one ``leaderboard/states.json``
lists, or the fingerprint was edited and the record is INVALID.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.progress import Progress

from presscut import paths
from presscut.errors import PresscutError
from presscut.leaderboard import scoring
from presscut.leaderboard.records import (
    Record,
    iter_record_paths,
    load_record,
    read_predictions_bytes,
    read_states,
    record_slug,
    state_key,
    state_value,
    stored_predictions,
)
from presscut.leaderboard.scoring import (
    EvaluateFn,
    finite_scores,
    metric_direction,
    run_evaluate,
)

BASELINE_PREFIX = "baseline "  # the reference baselines' system names (baselines run)

TOLERANCE = 1e-9

OK = "ok"
STALE = "stale"
MISMATCH = "mismatch"
MISSING = "missing"
TAMPERED = "tampered"
INVALID = "invalid"
UNSCORABLE = "unscorable"
DUPLICATE = "duplicate"

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
    if len(data) != record.predictions_bytes:
        raise _Fail(TAMPERED, f"predictions.bytes: record says {record.predictions_bytes}, "
                              f"{stored.name} holds {len(data)}")
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
    declared = result.get("direction")
    if isinstance(declared, dict):
        declared = declared.get(result["main_score"])
    if isinstance(declared, str) and declared != record.direction:
        diffs.append(f"direction: stored {record.direction!r}, the task says {declared!r}")
    return diffs


def harness_state(task: str, split: str, data: str, root: Path | None) -> State | None:
    """The state (task, split, data) is scored on now, read from the harness and the data
    files without scoring anything; None when the harness or the data is not at hand."""
    try:
        from presscut.harness import gold as gold_data

        try:
            from presscut.tasks import get_task
        except ImportError:
            from presscut.harness.tasks import get_task
        t = get_task(task)
        files = gold_data.gold_files(t, gold_data.resolve_split(t, split, data), data, root)
        return State(str(t.version), gold_data.fingerprint(files))
    except (PresscutError, ImportError, AttributeError, KeyError, OSError):
        return None


def _static_problems(record: Record) -> list[str]:
    """Fields shown on the board that follow from others: checked without scoring."""
    problems = []
    slug = record_slug(record.system.name, record.task, record.split, record.data)
    if record.slug != slug:
        problems.append(f"slug {record.slug!r} is not the one its system, task and split give "
                        f"({slug!r})")
    direction = metric_direction(record.task, record.main_score)
    if record.direction != direction:
        problems.append(f"direction: stored {record.direction!r}, {record.task}'s "
                        f"{record.main_score} is {direction!r} is better")
    return problems


def _authentic_baseline(record: Record, root: Path | None) -> bool:
    """A reference baseline's record holds exactly the predictions `presscut baselines run`
    regenerates (and CI diff-checks) under results/predictions/."""
    if not record.system.name.startswith(BASELINE_PREFIX):
        return False
    name = record.system.name[len(BASELINE_PREFIX):]
    produced = (root or paths.project_root()) / "results" / "predictions" / (
        f"{record.task}.{name}.{record.data}.jsonl")
    return produced.is_file() and hashlib.sha256(produced.read_bytes()).hexdigest() == (
        record.predictions_sha256)


def _flag_duplicates(checks: list[Check], root: Path | None) -> list[Check]:
    """Two records on one predictions file are two board entries for one system: every
    record after the first (by submission time) is flagged, unless it is a reference
    baseline whose identical output CI regenerates (tiny test splits make ties real)."""
    seen: dict[tuple, Check] = {}
    out = list(checks)
    order = sorted(range(len(checks)), key=lambda i: (
        checks[i].record.submitted_at if checks[i].record else "", checks[i].name))
    for i in order:
        check = checks[i]
        if check.record is None:
            continue
        key = (*group_key(check.record), check.record.predictions_sha256)
        first = seen.setdefault(key, check)
        if first is check or _authentic_baseline(check.record, root):
            continue
        sha = check.record.predictions_sha256[:12]
        out[i] = Check(check.path, DUPLICATE,
                       f"same predictions ({sha}…) as the earlier record {first.name}",
                       check.record)
    return out


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
    known = (read_states(root) if record_paths else None) or {}
    with Progress(transient=True, disable=not progress) as bar:
        job = bar.add_task("re-scoring submissions", total=len(record_paths))
        for path in record_paths:
            checks.append(_check_one(path, root, fn, states, known,
                                     use_harness=evaluate_fn is None))
            bar.advance(job)
    # a record whose predictions no longer validate is stale when others in its
    # group show that the data or task moved on since it was made
    for i, check in enumerate(checks):
        if check.status == UNSCORABLE and check.record is not None:
            current = states.get(group_key(check.record))
            if current is not None and current != record_state(check.record):
                checks[i] = _stale(check.path, check.record, current, known,
                                   f"; its predictions no longer score ({check.detail})")
    return _flag_duplicates(checks, root)


def _stale(path: Path, record: Record, current: State, known: dict, extra: str = "") -> Check:
    if state_value(record) not in known.get(state_key(record), []):
        return Check(path, INVALID, f"task version {record.task_version} on data "
                     f"{record.data_fingerprint} was never a state of {state_key(record)} "
                     "(not in leaderboard/states.json): the record was edited", record)
    return Check(path, STALE, _stale_detail(record, current) + extra, record)


def _short_pair(a: str, b: str, keep: int = 8) -> tuple[str, str]:
    """Both fingerprints cut just past where they first differ (never to the same text)."""
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    cut = n + keep
    return (a if len(a) <= cut else a[:cut] + "…"), (b if len(b) <= cut else b[:cut] + "…")


def _stale_detail(record: Record, current: State) -> str:
    parts = []
    if record.task_version != current.task_version:
        parts.append(f"task version {record.task_version} -> {current.task_version}")
    if record.data_fingerprint != current.data_fingerprint:
        old, new = _short_pair(record.data_fingerprint, current.data_fingerprint)
        parts.append(f"data fingerprint {old} -> {new}")
    return "made on older data/task: " + ", ".join(parts)


def _check_one(path: Path, root: Path | None, fn: EvaluateFn, states: dict, known: dict,
               *, use_harness: bool = False) -> Check:
    try:
        record = load_record(path)
    except PresscutError as err:
        return Check(path, INVALID, err.render(limit=5))
    problems = _static_problems(record)
    if problems:
        return Check(path, INVALID, "; ".join(problems), record)
    key = group_key(record)
    if use_harness and key not in states:
        current = harness_state(*key, root)
        if current is not None:
            states[key] = current
    current = states.get(key)
    if current is not None and current != record_state(record):
        # made on older data: its predictions are still checked byte for byte, and its
        # state must be one the board has seen, but it is not re-scored on today's data
        try:
            stored = stored_predictions(record.predictions_sha256, root)
            if stored is None:
                raise _Fail(MISSING, f"predictions {record.predictions_sha256}.jsonl[.gz] "
                                     "not found")
            data = read_predictions_bytes(stored)
            if hashlib.sha256(data).hexdigest() != record.predictions_sha256 or (
                    len(data) != record.predictions_bytes):
                raise _Fail(TAMPERED, f"{stored.name}: sha256 or size differs from the record")
        except _Fail as fail:
            return Check(path, fail.status, fail.detail, record)
        return _stale(path, record, current, known)
    try:
        result = _score_stored(record, root, fn)
    except _Fail as fail:
        return Check(path, fail.status, fail.detail, record)
    except PresscutError as err:
        return Check(path, UNSCORABLE, err.render(limit=3), record)
    current = State(str(result["task_version"]), str(result["data_fingerprint"]))
    states.setdefault(key, current)
    if current != record_state(record):
        return _stale(path, record, current, known)
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
        out[key] = harness_state(*key, root) if evaluate_fn is None else None
        if out[key] is not None:
            continue  # read from the data files: nothing needs re-scoring
        for record in sorted(members, key=lambda r: r.submitted_at, reverse=True):
            try:
                result = _score_stored(record, root, fn)
            except (_Fail, PresscutError):
                continue
            out[key] = State(str(result["task_version"]), str(result["data_fingerprint"]))
            break
    return out
