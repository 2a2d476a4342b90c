"""Check a predictions file before anything is scored (in the manner of OGB's Evaluator).

Two passes, so gold can stream: :meth:`PredictionSet.add` checks each record on its own
with the task's :meth:`~presscut.tasks.Task.parse` (JSON, types, known labels,
well-formed spans) and keeps it in a compact form; :meth:`PredictionSet.take` is then
called once per gold item and checks the record against it with the task's
:meth:`~presscut.tasks.Task.check` (line counts, line numbers in range). :meth:`PredictionSet.finish` reports
missing and unknown ids. Any problem at all raises :class:`PredictionError` listing the
offending records; a partial or malformed file is never scored.

The checked records wait for their gold item in a dict while there are few of them; past
:data:`SPILL_AT` they move to an SQLite table in a temporary folder (the standard
library's embedded engine, indexed by id), so matching a million predictions to gold by
id holds a small page cache rather than every record. The values are pickled and read
back unchanged, so the scores do not depend on where they waited.
"""

from __future__ import annotations

import json
import math
import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from presscut.errors import PredictionError
from presscut.tasks import BadRecord, Task

MAX_PROBLEMS_KEPT = 1000  # enough to show; the total is still counted
# records kept in memory (about 1 KB each for a page); past this they wait on disk
SPILL_AT = 50_000

# stands in for a record already reported as bad, so its item is not also "missing"
_INVALID = object()
# what ``take`` returns when there is nothing to score (None is a valid outlet prediction)
UNUSABLE = object()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def str_field(rec: dict, key: str, *, nullable: bool = False) -> str | None:
    if key not in rec:
        raise BadRecord(f'missing field "{key}"')
    v = rec[key]
    if v is None and nullable:
        return None
    if not isinstance(v, str):
        want = "a string or null" if nullable else "a string"
        raise BadRecord(f'"{key}" must be {want}, got {type(v).__name__}')
    if not nullable and not v:
        raise BadRecord(f'"{key}" is empty')
    return v


def list_field(rec: dict, key: str) -> list:
    if key not in rec:
        raise BadRecord(f'missing field "{key}"')
    v = rec[key]
    if not isinstance(v, list):
        raise BadRecord(f'"{key}" must be a list, got {type(v).__name__}')
    return v


def check_number(x: Any, where: str) -> None:
    if isinstance(x, float) and not math.isfinite(x):
        raise BadRecord(f"{where} is {x}, not a finite number")


# ---------------------------------------------------------------- the store
class _Records:
    """Parsed records by id, each with its line number: a dict, then an on-disk table."""

    def __init__(self, spill_at: int):
        self._spill_at = spill_at
        self._mem: dict[str, tuple[int, Any]] | None = {}
        self._db: sqlite3.Connection | None = None
        self._dir: tempfile.TemporaryDirectory | None = None
        self._pending = 0

    def first_line(self, item_id: str) -> int | None:
        """The line of the record already held for ``item_id`` (None: none is)."""
        if self._mem is not None:
            entry = self._mem.get(item_id)
            return None if entry is None else entry[0]
        row = self._db.execute("SELECT lineno FROM r WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else row[0]

    def put(self, item_id: str, lineno: int, value: Any) -> None:
        if self._mem is not None:
            self._mem[item_id] = (lineno, value)
            if len(self._mem) > self._spill_at:
                self._spill()
            return
        self._db.execute("INSERT INTO r VALUES (?, ?, ?)", (item_id, lineno, self._dump(value)))
        self._pending += 1
        if self._pending >= 10_000:
            self._db.commit()
            self._pending = 0

    def pop(self, item_id: str) -> tuple[int, Any] | None:
        if self._mem is not None:
            return self._mem.pop(item_id, None)
        row = self._db.execute("SELECT lineno, value FROM r WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            return None
        self._db.execute("DELETE FROM r WHERE id = ?", (item_id,))
        return row[0], self._load(row[1])

    def leftovers(self) -> Iterator[tuple[str, int]]:
        """(id, line) of the records never taken, in file order."""
        if self._mem is not None:
            for item_id, (lineno, _) in sorted(self._mem.items(), key=lambda kv: kv[1][0]):
                yield item_id, lineno
            return
        yield from self._db.execute("SELECT id, lineno FROM r ORDER BY lineno")

    def close(self) -> None:
        self._mem = {}
        if self._db is not None:
            self._db.close()
            self._db = None
            self._dir.cleanup()

    @staticmethod
    def _dump(value: Any) -> bytes | None:
        return None if value is _INVALID else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def _load(blob: bytes | None) -> Any:
        return _INVALID if blob is None else pickle.loads(blob)

    def _spill(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="presscut-preds-")
        self._db = sqlite3.connect(f"{self._dir.name}/records.sqlite")
        # a scratch table: nothing to recover after a crash
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE r (id TEXT PRIMARY KEY, lineno INTEGER NOT NULL, "
                         "value BLOB) WITHOUT ROWID")
        self._db.executemany("INSERT INTO r VALUES (?, ?, ?)",
                             ((k, ln, self._dump(v)) for k, (ln, v) in self._mem.items()))
        self._db.commit()
        self._mem = None


# ------------------------------------------------------------------ the set
class PredictionSet:
    """Predictions of one task, checked and keyed by item id."""

    def __init__(self, task: Task, where: str, spill_at: int | None = None):
        self.task = task
        self.where = where
        self._records = _Records(SPILL_AT if spill_at is None else spill_at)
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
            item_id = str_field(rec, id_field)
            value = self.task.parse(rec)
        except BadRecord as bad:
            label = rec.get(id_field)
            who = f" ({id_field} {label!r})" if isinstance(label, str) else ""
            self.problem(f"line {lineno}{who}: {bad}")
            if isinstance(label, str) and self._records.first_line(label) is None:
                self._records.put(label, lineno, _INVALID)
            return
        first = self._records.first_line(item_id)
        if first is not None:
            self.problem(f"line {lineno}: duplicate {id_field} {item_id!r} (first on line {first})")
            return
        self._records.put(item_id, lineno, value)

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
    def take(self, gold: dict) -> Any:
        """The prediction for one gold item (checked against it), or ``UNUSABLE``."""
        item_id = gold["id"]
        entry = self._records.pop(item_id)
        if entry is None:
            self._n_missing += 1
            if len(self._missing) < MAX_PROBLEMS_KEPT:
                self._missing.append(item_id)
            return UNUSABLE
        lineno, value = entry
        if value is _INVALID:
            return UNUSABLE
        msg = self.task.check(value, gold)
        if msg:
            self.problem(f"line {lineno} ({self.task.id_field} {item_id!r}): {msg}")
            return UNUSABLE
        return value

    def finish(self, split_label: str) -> None:
        """Raise if anything was wrong, missing or left over."""
        id_field = self.task.id_field
        for item_id, lineno in self._records.leftovers():
            self.problem(f"line {lineno}: unknown {id_field} {item_id!r} (not in {split_label})")
        self._records.close()
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
