"""The built Parquet files a task is scored on, and the one way they are read.

Which items a file holds, and what an item looks like, is the task's business
(:meth:`presscut.tasks.Task.iter_gold`); this module finds the files of a (task, split,
data), fingerprints them and streams their rows by record batch. ClassLabel columns
are stored as int ids; :func:`label_name` accepts names too so files written by other
tools still load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow.parquet as pq

from presscut import paths
from presscut.errors import PresscutError
from presscut.schema import SPLITS
from presscut.tasks import ALL, GOLD, Task, data_kinds

BATCH_SIZE = 2048


def resolve_split(task: Task, split: str | None, data: str) -> str:
    kinds = data_kinds()
    if data not in kinds:
        raise PresscutError(f"unknown data {data!r}; use one of {', '.join(kinds)}")
    if data not in task.data:
        raise PresscutError(f"task {task.name!r} has no {data} data; "
                            f"use --data {' or '.join(task.data)}")
    if split is None:
        # collection-wide tasks use every gold split; synthetic test pages are built
        # from their own articles, so the synthetic test split stands on its own
        split = task.default_split if data == GOLD else "test"
    if split not in task.allowed_splits:
        raise PresscutError(
            f"split {split!r} is not available for {task.name}; "
            f"use one of {', '.join(task.allowed_splits)}"
        )
    return split


def config_files(config: str, splits: str | Iterable[str], root: Path | None = None
                 ) -> list[Path]:
    """The Parquet files of ``config`` for a split, ``"all"`` or a list of splits."""
    names = SPLITS if splits == ALL else (splits,) if isinstance(splits, str) else tuple(splits)
    bad = [s for s in names if s not in SPLITS]
    if bad:
        raise PresscutError(f"unknown split(s) {', '.join(bad)}; splits: {', '.join(SPLITS)}")
    base = paths.splits_dir(root) / config
    return [base / f"{s}.parquet" for s in names]


def gold_files(task: Task, split: str, data: str, root: Path | None = None) -> list[Path]:
    files = config_files(task.config(data), split, root)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        hint = "presscut build" if data == GOLD else "presscut synth"
        raise PresscutError(
            f"no {data} data for {task.name} ({split}): run `{hint}` first", missing
        )
    return files


def fingerprint(files: list[Path]) -> str:
    """sha256 over the Parquet bytes of the files used, in order, with their names.

    Names are hashed too so that swapping two splits' files changes the fingerprint.
    """
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.parent.name}/{f.name}\n".encode())
        with f.open("rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(chunk)
    return "sha256:" + h.hexdigest()


def count_rows(files: list[Path]) -> int:
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def label_name(value: int | str | None, names: tuple[str, ...]) -> str | None:
    """A ClassLabel value as its name (ids are stored; names pass through)."""
    if value is None or isinstance(value, str):
        return value
    return names[value]


def read_rows(files: Iterable[Path], columns: list[str], optional: tuple[str, ...] = ()
              ) -> Iterator[dict]:
    """Rows of ``columns`` (and of the ``optional`` ones a file has) file by file."""
    for f in files:
        if not f.is_file():
            raise PresscutError(f"{f}: no such file (run `presscut build` first)")
        # pre_buffer would read ahead across row groups and hold them (memory grew with
        # the file: 158 MB of Arrow buffers for 100k pages against 34 MB without)
        pf = pq.ParquetFile(f, pre_buffer=False)
        missing = [c for c in columns if c not in pf.schema_arrow.names]
        if missing:
            raise PresscutError(f"{f}: missing column(s) {', '.join(missing)}")
        present = columns + [c for c in optional if c in pf.schema_arrow.names]
        for batch in pf.iter_batches(batch_size=BATCH_SIZE, columns=present):
            yield from batch.to_pylist()
