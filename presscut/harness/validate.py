"""Check a predictions file before anything is scored (in the manner of OGB's Evaluator).

Two passes, so gold can stream: :meth:`PredictionSet.add` checks each record on its own
(JSON, types, known labels, well-formed spans) and keeps it in a compact form;
:meth:`PredictionSet.take` is then called once per gold item and checks the record
against it (line counts, line numbers in range). :meth:`PredictionSet.finish` reports
missing and unknown ids. Any problem at all raises :class:`PredictionError` listing the
offending records; a partial or malformed file is never scored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from presscut.errors import PredictionError
from presscut.harness.tasks import Task
from presscut.schema import ROLES, STANCES

_ROLE_ID = {r: i for i, r in enumerate(ROLES)}
MAX_PROBLEMS_KEPT = 1000  # enough to show; the total is still counted


class _Bad(Exception):
    """One record breaks the expected format."""


# stands in for a record already reported as bad, so its item is not also "missing"
_INVALID = object()
# what ``take`` returns when there is nothing to score (None is a valid outlet prediction)
UNUSABLE = object()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _str_field(rec: dict, key: str, *, nullable: bool = False) -> str | None:
    if key not in rec:
        raise _Bad(f'missing field "{key}"')
    v = rec[key]
    if v is None and nullable:
        return None
    if not isinstance(v, str):
        want = "a string or null" if nullable else "a string"
        raise _Bad(f'"{key}" must be {want}, got {type(v).__name__}')
    if not nullable and not v:
        raise _Bad(f'"{key}" is empty')
    return v


def _list_field(rec: dict, key: str) -> list:
    if key not in rec:
        raise _Bad(f'missing field "{key}"')
    v = rec[key]
    if not isinstance(v, list):
        raise _Bad(f'"{key}" must be a list, got {type(v).__name__}')
    return v


def _check_number(x: Any, where: str) -> None:
    if isinstance(x, float) and not math.isfinite(x):
        raise _Bad(f"{where} is {x}, not a finite number")


# ------------------------------------------------------------------ per-task record parsers
def _segmentation(rec: dict) -> tuple[bytes, tuple[tuple[int, int], ...]]:
    roles = _list_field(rec, "roles")
    ids = bytearray(len(roles))
    for i, r in enumerate(roles):
        if not isinstance(r, str):
            raise _Bad(f"roles[{i}] must be a role name, got {type(r).__name__}")
        if r not in _ROLE_ID:
            raise _Bad(f"roles[{i}] = {r!r} is not a role ({', '.join(ROLES)})")
        ids[i] = _ROLE_ID[r]
    spans = []
    for j, span in enumerate(_list_field(rec, "articles")):
        if not (isinstance(span, list) and len(span) == 2):
            raise _Bad(f"articles[{j}] must be [start_line, end_line], got {span!r}")
        for x in span:
            _check_number(x, f"articles[{j}]")
        if not all(_is_int(x) for x in span):
            raise _Bad(f"articles[{j}] = {span!r} must hold two integers")
        s, e = span
        if s < 0 or e <= s:
            raise _Bad(f"articles[{j}] = [{s}, {e}] is not a span 0 <= start < end")
        spans.append((s, e))
    spans.sort()
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        if s2 < e1:
            raise _Bad(f"articles [{s1}, {e1}] and [{s2}, {e2}] overlap")
    return bytes(ids), tuple(spans)


def _line_dedup(rec: dict) -> tuple[tuple[int, ...], ...]:
    groups, seen = [], {}
    for j, group in enumerate(_list_field(rec, "groups")):
        if not isinstance(group, list):
            raise _Bad(f"groups[{j}] must be a list of line numbers, got {type(group).__name__}")
        for x in group:
            _check_number(x, f"groups[{j}]")
            if not _is_int(x) or x < 0:
                raise _Bad(f"groups[{j}] holds {x!r}, not a line number")
            if x in seen:
                raise _Bad(f"line {x} is in groups[{seen[x]}] and groups[{j}]"
                           if seen[x] != j else f"groups[{j}] lists line {x} twice")
            seen[x] = j
        if len(group) < 2:
            raise _Bad(f"groups[{j}] has {len(group)} line(s); a group needs at least 2")
        groups.append(tuple(group))
    return tuple(groups)


def _cluster(field: str):
    def parse(rec: dict) -> str:
        return _str_field(rec, field)

    return parse


def _stance(rec: dict) -> str:
    s = _str_field(rec, "stance")
    if s not in STANCES:
        raise _Bad(f"stance {s!r} is not one of {', '.join(STANCES)}")
    return s


def normalise_outlet(name: str | None) -> str | None:
    return None if name is None else " ".join(name.split()).casefold() or None


def _source(rec: dict) -> str | None:
    return normalise_outlet(_str_field(rec, "outlet", nullable=True))


_PARSERS = {
    "segmentation": _segmentation,
    "line_dedup": _line_dedup,
    "article_dedup": _cluster("dup_cluster"),
    "story_clustering": _cluster("story_cluster"),
    "stance": _stance,
    "source": _source,
}


# ------------------------------------------------------------------ the set
class PredictionSet:
    """Predictions of one task, checked and keyed by item id."""

    def __init__(self, task: Task, where: str):
        self.task = task
        self.where = where
        self._parse = _PARSERS[task.name]
        self._records: dict[str, tuple[int, Any]] = {}
        self._problems: list[str] = []
        self._n_problems = 0
        self._missing: list[str] = []
        self._n_missing = 0

    # -- problems
    def problem(self, msg: str) -> None:
        self._n_problems += 1
        if len(self._problems) < MAX_PROBLEMS_KEPT:
            self._problems.append(msg)

    @property
    def ok(self) -> bool:
        return self._n_problems == 0 and self._n_missing == 0

    # -- pass 1
    def add(self, lineno: int, rec: Any) -> None:
        """Check one record (``lineno`` is 1-based, as editors count)."""
        if not isinstance(rec, dict):
            self.problem(f"line {lineno}: expected a JSON object, got {type(rec).__name__}")
            return
        id_field = self.task.id_field
        try:
            item_id = _str_field(rec, id_field)
            value = self._parse(rec)
        except _Bad as bad:
            label = rec.get(id_field)
            who = f" ({id_field} {label!r})" if isinstance(label, str) else ""
            self.problem(f"line {lineno}{who}: {bad}")
            if isinstance(label, str) and label not in self._records:
                self._records[label] = (lineno, _INVALID)
            return
        if item_id in self._records:
            first = self._records[item_id][0]
            self.problem(f"line {lineno}: duplicate {id_field} {item_id!r} (first on line {first})")
            return
        self._records[item_id] = (lineno, value)

    def add_file(self, path: Path) -> None:
        try:
            fh = path.open("rb")
        except OSError as err:
            raise PredictionError(f"{path}: cannot read the predictions file ({err.strerror})") from None
        with fh:
            for lineno, obj in _json_lines(fh, self):
                self.add(lineno, obj)

    def add_records(self, records: Iterable[dict]) -> None:
        for i, rec in enumerate(records, start=1):
            self.add(i, rec)

    # -- pass 2
    def take(self, item_id: str, n_lines: int | None = None) -> Any:
        """The prediction for one gold item (checked against it), or ``UNUSABLE``."""
        entry = self._records.pop(item_id, None)
        if entry is None:
            self._n_missing += 1
            if len(self._missing) < MAX_PROBLEMS_KEPT:
                self._missing.append(item_id)
            return UNUSABLE
        lineno, value = entry
        if value is _INVALID:
            return UNUSABLE
        if n_lines is not None:
            msg = self._check_lines(value, n_lines)
            if msg:
                self.problem(f"line {lineno} ({self.task.id_field} {item_id!r}): {msg}")
                return UNUSABLE
        return value

    def _check_lines(self, value: Any, n_lines: int) -> str | None:
        if self.task.name == "segmentation":
            roles, spans = value
            if len(roles) != n_lines:
                return f"{len(roles)} roles for a page of {n_lines} lines"
            bad = [f"[{s}, {e}]" for s, e in spans if e > n_lines]
            if bad:
                return f"article span {bad[0]} ends past the page's {n_lines} lines"
        elif self.task.name == "line_dedup":
            for g in value:
                out = [x for x in g if x >= n_lines]
                if out:
                    return f"line {out[0]} in a group is past the page's {n_lines} lines"
        return None

    def finish(self, split_label: str) -> None:
        """Raise if anything was wrong, missing or left over."""
        id_field = self.task.id_field
        for item_id, (lineno, _) in sorted(self._records.items(), key=lambda kv: kv[1][0]):
            self.problem(f"line {lineno}: unknown {id_field} {item_id!r} (not in {split_label})")
        self._records.clear()
        if not (self._n_problems or self._n_missing):
            return
        problems = []
        if self._n_missing:
            shown = ", ".join(repr(x) for x in self._missing[:5])
            more = f" and {self._n_missing - 5} more" if self._n_missing > 5 else ""
            problems.append(f"{self._n_missing} {self.task.item}(s) of {split_label} have no "
                            f"prediction: {shown}{more}")
        problems += self._problems
        if self._n_problems > len(self._problems):
            problems.append(f"({self._n_problems} record problems in all)")
        total = self._n_problems + (1 if self._n_missing else 0)
        raise PredictionError(
            f"{self.where}: {total} problem(s) in these {self.task.name} predictions; "
            f"nothing was scored. Expected input:\n{self.task.expected_input_format}",
            problems,
        )


def _json_lines(fh: Iterable[bytes], sink: PredictionSet) -> Iterator[tuple[int, Any]]:
    offset = 0  # of the line's first byte in the file
    for lineno, raw in enumerate(fh, start=1):
        start, offset = offset, offset + len(raw)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            sink.problem(f"line {lineno}: not UTF-8 (byte {start + err.start} of the file, "
                         f"column {err.start + 1}: {raw[err.start:err.start + 1]!r})")
            continue
        if not line.strip():
            continue  # blank lines (e.g. a trailing one) carry no record
        try:
            yield lineno, json.loads(line, parse_constant=_reject_constant)
        except ValueError as err:
            sink.problem(f"line {lineno}: not valid JSON ({str(err)[:200]})")
        except RecursionError:
            # a line of 100,000 '[' must be a refusal (exit 2), not a crash
            sink.problem(f"line {lineno}: JSON nested too deeply")


def read_predictions(task: Task, predictions: Path | Iterable[dict]) -> PredictionSet:
    """Pass 1 over a JSONL file or in-memory records."""
    if isinstance(predictions, (str, Path)):
        path = Path(predictions)
        pset = PredictionSet(task, str(path))
        if not path.is_file():
            raise PredictionError(f"{path}: no such predictions file")
        pset.add_file(path)
    else:
        pset = PredictionSet(task, "<in-memory predictions>")
        pset.add_records(predictions)
    return pset
