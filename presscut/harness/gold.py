"""Gold items for a task, streamed from the built Parquet files by record batch.

Items are plain dicts with an ``id`` and whatever the task's scorer reads: ``lines``,
``roles`` (role names), ``articles`` ([start, end) pairs) and ``dup_groups`` for the
page tasks, ``label`` for the others (synthetic article dedup adds ``edit_level``). ClassLabel columns are stored as int ids; names
are accepted too so files written by other tools still load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from presscut import paths
from presscut.errors import PresscutError
from presscut.harness.tasks import EDIT_LEVELS, Task
from presscut.harness.validate import normalise_outlet
from presscut.schema import ROLES, SPLITS, STANCES

DATA_KINDS = ("gold", "synthetic")
ALL = "all"
BATCH_SIZE = 2048


def resolve_split(task: Task, split: str | None, data: str) -> str:
    if data not in DATA_KINDS:
        raise PresscutError(f"unknown data {data!r}; use one of {', '.join(DATA_KINDS)}")
    if data == "synthetic" and not task.synthetic:
        raise PresscutError(f"task {task.name!r} has no synthetic data; use --data gold")
    if split is None:
        # collection-wide tasks use every gold split; synthetic test pages are built
        # from their own articles, so the synthetic test split stands on its own
        split = task.default_split if data == "gold" else "test"
    if split not in task.allowed_splits:
        raise PresscutError(
            f"split {split!r} is not available for {task.name}; "
            f"use one of {', '.join(task.allowed_splits)}"
        )
    return split


def gold_files(task: Task, split: str, data: str, root: Path | None = None) -> list[Path]:
    config = "synthetic" if data == "synthetic" else task.config
    base = paths.splits_dir(root) / config
    names = SPLITS if split == ALL else (split,)
    files = [base / f"{s}.parquet" for s in names]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        hint = "presscut synth" if data == "synthetic" else "presscut build"
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


def _name(value: int | str | None, names: tuple[str, ...]) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return names[value]


def _batches(files: list[Path], columns: list[str], optional: tuple[str, ...] = ()
             ) -> Iterator[dict]:
    """Rows of ``columns`` (and of the ``optional`` ones a file has) file by file."""
    for f in files:
        # pre_buffer would read ahead across row groups and hold them (memory grew with
        # the file: 158 MB of Arrow buffers for 100k pages against 34 MB without)
        pf = pq.ParquetFile(f, pre_buffer=False)
        missing = [c for c in columns if c not in pf.schema_arrow.names]
        if missing:
            raise PresscutError(f"{f}: missing column(s) {', '.join(missing)}")
        present = columns + [c for c in optional if c in pf.schema_arrow.names]
        for batch in pf.iter_batches(batch_size=BATCH_SIZE, columns=present):
            yield from batch.to_pylist()


def _synthetic_dedup(files: list[Path]) -> Iterator[dict]:
    """Synthetic articles with their dup cluster and, where recorded, their edit level.

    A page written without levels (an empty ``edit_level`` list, or no such column)
    gives ``edit_level: None``; a list of the wrong length or an unknown level is an
    error, since it would pair levels with the wrong articles.
    """
    for f in files:
        for row in _batches([f], ["doc_id", "article_ids", "dup_clusters"], ("edit_level",)):
            ids, levels = row["article_ids"], row.get("edit_level") or []
            if levels and len(levels) != len(ids):
                raise PresscutError(
                    f"{f}: page {row['doc_id']}: {len(levels)} edit_level entries "
                    f"for {len(ids)} articles"
                )
            for k, (aid, label) in enumerate(zip(ids, row["dup_clusters"])):
                level = levels[k] if levels else None
                if level is not None and level not in EDIT_LEVELS:
                    raise PresscutError(
                        f"{f}: article {aid}: edit_level {level} is not one of "
                        f"{', '.join(map(str, EDIT_LEVELS))}"
                    )
                yield {"id": aid, "label": label, "edit_level": level}


def iter_gold(task: Task, files: list[Path], data: str) -> Iterator[dict]:
    """Yield gold items one at a time (the files are read batch by batch)."""
    name = task.name
    if name in ("segmentation", "line_dedup"):
        for row in _batches(files, ["doc_id", "lines", "roles", "articles", "dup_groups"]):
            yield {
                "id": row["doc_id"],
                "lines": row["lines"],
                "roles": [_name(r, ROLES) for r in row["roles"]],
                "articles": [(a["start_line"], a["end_line"]) for a in row["articles"]],
                "dup_groups": [g["lines"] for g in row["dup_groups"]],
            }
    elif name in ("article_dedup", "story_clustering"):
        if data == "synthetic":
            if name == "article_dedup":
                yield from _synthetic_dedup(files)
                return
            for row in _batches(files, ["article_ids", "story_clusters"]):
                for aid, label in zip(row["article_ids"], row["story_clusters"]):
                    yield {"id": aid, "label": label}
        else:
            column = "dup_cluster" if name == "article_dedup" else "story_cluster"
            for row in _batches(files, ["article_id", column]):
                yield {"id": row["article_id"], "label": row[column]}
    elif name == "stance":
        for row in _batches(files, ["pair_id", "stance"]):
            yield {"id": row["pair_id"], "label": _name(row["stance"], STANCES)}
    elif name == "source":
        for row in _batches(files, ["doc_id", "outlet"]):
            yield {"id": row["doc_id"], "label": normalise_outlet(row["outlet"])}
    else:  # pragma: no cover - tasks.py and this module move together
        raise PresscutError(f"no gold reader for task {name!r}")
