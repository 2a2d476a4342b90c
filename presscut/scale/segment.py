"""``presscut segment``: the default segmenter as a batch stage over a streamed corpus.

:class:`SegmentStage` wraps one fitted segmentation baseline (the registry's default,
another registered name, or a saved model folder) and maps a ``(id, text)`` table to
one row per page: its line roles and its articles (span, title, cleaned body). The
stage is picklable, so Ray ships it to workers as it is; on one machine
:func:`segment_corpus` runs it over the corpus in batches, optionally in worker
processes, and writes Parquet under a temporary name that is renamed at the end.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from presscut.scale.corpus import BadRow, ReadStats, read_batches
from presscut.schema import article_id, split_lines
from presscut.tasks.segmentation import TASK as SEGMENTATION

ARTICLE = pa.struct([("article_id", pa.string()), ("start_line", pa.int32()),
                     ("end_line", pa.int32()), ("title", pa.string()), ("body", pa.string())])
OUTPUT_SCHEMA = pa.schema([("doc_id", pa.string()), ("n_lines", pa.int32()),
                           ("roles", pa.list_(pa.string())), ("articles", pa.list_(ARTICLE))])


def default_model() -> str:
    """The segmentation baseline the registry names as its task's default (read from the
    committed default's own config when there is one: no look-up of every baseline)."""
    import json

    from presscut.baselines.estimator_io import CONFIG_FILE
    from presscut.baselines.registry import committed_default, default_for

    folder = committed_default(SEGMENTATION.name)
    if folder is not None:
        return json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))["name"]
    return default_for(SEGMENTATION.name).name


def load_segmenter(model: str | None = None):
    """A ready segmenter: a saved model folder, or a registered name as ``presscut
    predict`` makes it (a committed model loaded; a learned one fitted once, then loaded;
    the committed default straight from its folder, see ``registry.committed_default``)."""
    from presscut.baselines.registry import committed_default, get, ready
    from presscut.baselines.segment_common import load

    if model is None and (folder := committed_default(SEGMENTATION.name)) is not None:
        estimator = load(folder)
        return estimator, estimator.name  # its config is already read: no second look-up
    model = model or default_model()
    if Path(model).exists():
        return load(model), str(model)
    return ready(get(SEGMENTATION.name, model)), model


class SegmentStage:
    """Callable batch stage: ``(id, text)`` table → :data:`OUTPUT_SCHEMA` table."""

    def __init__(self, model: str | None = None):
        self.estimator, self.model_name = load_segmenter(model)

    def __call__(self, batch: pa.Table | pa.RecordBatch) -> pa.Table:
        ids = batch.column("id").to_pylist()
        texts = batch.column("text").to_pylist()
        lines = [split_lines(t) for t in texts]
        preds = self.estimator.predict([{"doc_id": d, "lines": ls} for d, ls in zip(ids, lines)])
        rows_roles, rows_arts, n_lines = [], [], []
        for doc_id, ls, rec in zip(ids, lines, preds):
            roles = rec["roles"]
            arts = []
            for k, (s, e) in enumerate(rec["articles"]):
                title = next((ls[i] for i in range(s, e) if roles[i] == "title"), None)
                body = "\n".join(ls[i] for i in range(s, e) if roles[i] == "body")
                arts.append({"article_id": article_id(doc_id, k), "start_line": s,
                             "end_line": e, "title": title, "body": body})
            rows_roles.append(roles)
            rows_arts.append(arts)
            n_lines.append(len(ls))
        return pa.table({"doc_id": pa.array(ids, pa.string()),
                         "n_lines": pa.array(n_lines, pa.int32()),
                         "roles": pa.array(rows_roles, pa.list_(pa.string())),
                         "articles": pa.array(rows_arts, pa.list_(ARTICLE))},
                        schema=OUTPUT_SCHEMA)


@dataclass
class SegmentReport:
    pages: int = 0
    articles: int = 0
    bad_rows: int = 0
    bad: list[BadRow] = field(default_factory=list)
    model: str = ""
    seconds: float = 0.0

    def summary(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "bad"}
        out["pages_per_s"] = self.pages / self.seconds if self.seconds else None
        return out


_WORKER_STAGE: SegmentStage | None = None


def _init_worker(model: str | None) -> None:
    global _WORKER_STAGE
    _WORKER_STAGE = SegmentStage(model)


def _run_worker(batch: pa.RecordBatch) -> pa.Table:
    assert _WORKER_STAGE is not None
    return _WORKER_STAGE(batch)


def _segmented(batches: Iterator[pa.RecordBatch], model: str | None, workers: int
               ) -> Iterator[pa.Table]:
    if workers <= 1:
        stage = SegmentStage(model)
        for rb in batches:
            yield stage(rb)
        return
    import multiprocessing as mp

    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"),
                             initializer=_init_worker, initargs=(model,)) as pool:
        pending = []
        for rb in batches:
            pending.append(pool.submit(_run_worker, rb))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for fut in pending:
            yield fut.result()


def segment_corpus(source: Path, out: Path, *, model: str | None = None, batch_size: int = 500,
                   workers: int = 1, progress: Callable[[int], None] | None = None
                   ) -> SegmentReport:
    """Segment every page of ``source`` into ``out`` (Parquet, input order)."""
    from presscut.scale.dedup import atomic_target

    stats = ReadStats()
    report = SegmentReport(model=model or default_model())
    tmp = atomic_target(out)
    t0 = time.perf_counter()
    try:
        with pq.ParquetWriter(tmp, OUTPUT_SCHEMA) as w:
            for table in _segmented(read_batches(source, batch_size=batch_size, stats=stats),
                                    model, workers):
                w.write_table(table)
                report.pages += table.num_rows
                report.articles += pc.sum(pc.list_value_length(table["articles"])).as_py() or 0
                if progress:
                    progress(table.num_rows)
        report.bad_rows = stats.n_bad
        report.bad = stats.bad
        report.seconds = time.perf_counter() - t0
        os.replace(tmp, out)
        return report
    finally:
        if tmp.exists():
            tmp.unlink()
