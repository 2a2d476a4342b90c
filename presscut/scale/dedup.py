"""``presscut dedup`` on one machine: streaming MinHash, DuckDB candidates, bounded memory.

1. **Signatures** — the corpus is read in record batches; :func:`signature_stage` turns
   each into signatures and LSH band hashes (optionally in worker processes). Three
   files grow under a work folder: ``ids.parquet`` (input ordinal, id), ``bands.parquet``
   (ordinal + one column per band) and ``sigs.u32`` (the signatures, row-major).
2. **Candidates** — DuckDB unpivots the band columns and groups by (band, hash); members
   of a bucket are paired (a bucket larger than ``max_bucket`` links each member to its
   first instead). DuckDB runs with a ``memory_limit`` and a temp directory, so the
   join spills to disk instead of growing.
3. **Verification** — candidate pairs stream out of DuckDB in order of their first
   member; both signatures are read from the memory-mapped ``sigs.u32`` a chunk at a
   time and a pair is kept when its estimated Jaccard reaches the threshold (the
   baseline's rule). With ``DedupParams(verify=False)`` every candidate is kept.
4. **Components** — the kept pairs (all that is held in memory: 8 bytes each) go to
   SciPy's connected components; a cluster is named after its smallest member id, which
   does not depend on input order or partitioning (the Ray path gives the same names).

Article ids must be unique: a repeated id is a bad row (reported, left out of the output).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from presscut.errors import PresscutError
from presscut.scale.corpus import BadRow, ReadStats, read_batches
from presscut.scale.stages import DedupParams, band_columns, signature_stage, verify_pairs

OUTPUT_SCHEMA = pa.schema([("article_id", pa.string()), ("dup_cluster", pa.string())])


@dataclass
class DedupReport:
    articles: int = 0
    bad_rows: int = 0
    bad: list[BadRow] = field(default_factory=list)
    no_words: int = 0
    candidates: int = 0
    verified: int = 0
    clusters: int = 0  # clusters of two or more articles
    in_clusters: int = 0  # articles in such clusters
    kept: int | None = None  # rows of the duplicate-free corpus, when written
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "bad"}


# --------------------------------------------------------------------- stage 1
def _stage(args):
    batch, params, bands = args
    t = signature_stage(batch, params, bands)
    sig = t.column("sig").combine_chunks().flatten().to_numpy(zero_copy_only=False)
    return t.drop_columns(["sig"]), np.ascontiguousarray(sig, dtype=np.uint32)


def _mapped(batches: Iterator[pa.RecordBatch], params: DedupParams, bands, workers: int):
    """Stage results in input order; with workers, at most 2 per worker in flight."""
    if workers <= 1:
        for rb in batches:
            yield rb.num_rows, _stage((rb, params, bands))
        return
    import multiprocessing as mp

    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        pending = []
        for rb in batches:
            pending.append((rb.num_rows, pool.submit(_stage, (rb, params, bands))))
            if len(pending) >= 2 * workers:
                n, fut = pending.pop(0)
                yield n, fut.result()
        for n, fut in pending:
            yield n, fut.result()


def write_signatures(source: Path, work: Path, params: DedupParams, *, batch_size: int,
                     workers: int, stats: ReadStats, progress: Callable[[int], None]) -> int:
    """Stage 1: ids, band hashes and signatures of every article under ``work``."""
    b, r = params.bands()
    id_schema = pa.schema([("idx", pa.int64()), ("id", pa.string())])
    band_schema = pa.schema([("idx", pa.int64())] + [(c, pa.uint64()) for c in band_columns(b)])
    n = 0
    with pq.ParquetWriter(work / "ids.parquet", id_schema) as ids_w, \
            pq.ParquetWriter(work / "bands.parquet", band_schema) as bands_w, \
            open(work / "sigs.u32", "wb") as sig_fh:
        for rows, (table, sig) in _mapped(read_batches(source, batch_size=batch_size, stats=stats),
                                          params, (b, r), workers):
            idx = pa.array(np.arange(n, n + rows, dtype=np.int64))
            ids_w.write_table(pa.table({"idx": idx, "id": table.column("id")}, schema=id_schema))
            keep = table.column("has_words")
            bands = table.select(band_columns(b)).add_column(0, "idx", idx).filter(keep)
            bands_w.write_table(bands.cast(band_schema))
            sig_fh.write(sig.tobytes())
            n += rows
            progress(rows)
    return n


# ------------------------------------------------------------------ stage 2-3
def connect(work: Path, memory_limit: str, threads: int):
    import duckdb

    con = duckdb.connect(str(work / "dedup.duckdb"))
    tmp = work / "duckdb_tmp"
    tmp.mkdir(exist_ok=True)
    con.execute(f"SET memory_limit='{memory_limit}'")
    con.execute(f"SET temp_directory='{tmp.as_posix()}'")
    con.execute(f"SET threads={int(threads)}")
    con.execute("SET preserve_insertion_order=false")
    return con


def candidate_pairs(con, work: Path, params: DedupParams) -> int:
    """Stage 2: table ``cand(i, j)``, i < j, of article ordinals sharing an LSH bucket."""
    b, _ = params.bands()
    bands = (work / "bands.parquet").as_posix()
    cols = ", ".join(band_columns(b))
    con.execute(f"""
        CREATE TABLE dup_ids AS
        SELECT idx, id, first_idx FROM (
            SELECT idx, id, min(idx) OVER (PARTITION BY id) AS first_idx
            FROM read_parquet('{(work / "ids.parquet").as_posix()}'))
        WHERE idx > first_idx""")
    con.execute(f"""
        CREATE TABLE long AS
        SELECT idx, band, h FROM (
            UNPIVOT (SELECT * FROM read_parquet('{bands}')
                     WHERE idx NOT IN (SELECT idx FROM dup_ids))
            ON {cols} INTO NAME band VALUE h)""")
    con.execute("""
        CREATE TABLE multi AS
        SELECT l.idx, l.band, l.h, s.n, s.first FROM long l JOIN (
            SELECT band, h, count(*) AS n, min(idx) AS first FROM long
            GROUP BY band, h HAVING count(*) > 1) s USING (band, h)""")
    con.execute("DROP TABLE long")
    con.execute(f"""
        CREATE TABLE cand AS
        SELECT DISTINCT i, j FROM (
            SELECT a.idx AS i, b.idx AS j FROM multi a JOIN multi b
              ON a.band = b.band AND a.h = b.h AND a.idx < b.idx
            WHERE a.n <= {int(params.max_bucket)}
            UNION ALL
            SELECT first AS i, idx AS j FROM multi
            WHERE n > {int(params.max_bucket)} AND idx <> first)""")
    con.execute("DROP TABLE multi")
    return con.execute("SELECT count(*) FROM cand").fetchall()[0][0]


def verified_pairs(con, work: Path, n: int, params: DedupParams, chunk: int = 20_000
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Stage 3: candidate pairs whose signatures agree on at least ``threshold`` of slots."""
    keep_i: list[np.ndarray] = []
    keep_j: list[np.ndarray] = []
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    reader = con.sql("SELECT i, j FROM cand ORDER BY i, j").to_arrow_reader(chunk)
    path = work / "sigs.u32"
    for rb in reader:
        i = rb.column(0).to_numpy()
        j = rb.column(1).to_numpy()
        if not params.verify:
            keep_i.append(i)
            keep_j.append(j)
            continue
        # a fresh map per chunk: pages touched by one chunk are released before the next
        sigs = np.memmap(path, dtype=np.uint32, mode="r", shape=(n, params.num_perm))
        ok = verify_pairs(sigs[i], sigs[j], params.threshold)
        del sigs
        keep_i.append(i[ok])
        keep_j.append(j[ok])
    return np.concatenate(keep_i or [np.zeros(0, np.int64)]), \
        np.concatenate(keep_j or [np.zeros(0, np.int64)])


def components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Component label (int32) of every ordinal, from the kept pairs."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if len(i) == 0:
        return np.arange(n, dtype=np.int32)
    graph = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int32)


_NAMED = """
    WITH ids AS (SELECT i.idx, i.id, l.comp FROM read_parquet('{ids}') i JOIN labels l USING (idx)
                 WHERE i.idx NOT IN (SELECT idx FROM dup_ids)),
         names AS (SELECT comp, min(id) AS name FROM ids GROUP BY comp)
    SELECT ids.idx, ids.id AS article_id, names.name AS dup_cluster
    FROM ids JOIN names USING (comp) {where} ORDER BY ids.idx"""


def named_clusters(con, work: Path, labels: np.ndarray, where: str = ""):
    """``(idx, article_id, dup_cluster)`` in input order; a cluster's name is its smallest id."""
    con.register("labels", pa.table({"idx": np.arange(len(labels), dtype=np.int64),
                                     "comp": labels}))
    return con.sql(_NAMED.format(ids=(work / "ids.parquet").as_posix(), where=where))


# ------------------------------------------------------------------ the job
def atomic_target(out: Path) -> Path:
    """A temporary name beside ``out``: renamed onto it only when the output is complete."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    return Path(tmp)


def dedup_corpus(source: Path, out: Path, params: DedupParams | None = None, *,
                 keep_unique: Path | None = None, batch_size: int = 2000, workers: int = 1,
                 memory_limit: str = "500MB", threads: int = 2, workdir: Path | None = None,
                 progress: Callable[[int], None] | None = None) -> DedupReport:
    """Cluster near-duplicate articles of ``source``; write ``(article_id, dup_cluster)`` to
    ``out`` (Parquet, input order) and, with ``keep_unique``, the corpus with one article
    (the cluster's name) per cluster."""
    params = params or DedupParams()
    progress = progress or (lambda k: None)
    report = DedupReport()
    stats = ReadStats()
    work = Path(tempfile.mkdtemp(prefix="presscut-dedup-", dir=workdir))
    tmp_out = atomic_target(out)
    tmp_keep = atomic_target(keep_unique) if keep_unique else None
    try:
        t0 = time.perf_counter()
        n = write_signatures(source, work, params, batch_size=batch_size, workers=workers,
                             stats=stats, progress=progress)
        t1 = time.perf_counter()
        con = connect(work, memory_limit, threads)
        report.candidates = candidate_pairs(con, work, params)
        t2 = time.perf_counter()
        i, j = verified_pairs(con, work, n, params)
        con.execute("DROP TABLE cand")
        report.verified = len(i)
        t3 = time.perf_counter()
        labels = components(n, i, j)
        del i, j
        sizes = np.bincount(labels)
        report.clusters = int((sizes > 1).sum())
        report.in_clusters = int(sizes[sizes > 1].sum())
        for idx, aid, first in con.execute(
                "SELECT idx, id, first_idx FROM dup_ids ORDER BY idx").fetchall():
            stats.add_bad(BadRow(str(source), f"article #{idx}",
                                 f"id {aid!r} repeats the id of article #{first}"))
        result = named_clusters(con, work, labels).to_arrow_reader(50_000)
        with pq.ParquetWriter(tmp_out, OUTPUT_SCHEMA) as w:
            for rb in result:
                w.write_table(pa.Table.from_batches([rb]).select(["article_id", "dup_cluster"])
                              .cast(OUTPUT_SCHEMA))
        t4 = time.perf_counter()
        if tmp_keep is not None:
            report.kept = write_unique(source, tmp_keep, con, work, labels, batch_size)
        report.articles = n - con.execute("SELECT count(*) FROM dup_ids").fetchall()[0][0]
        con.close()
        report.no_words = _count_no_words(work, n)
        report.bad_rows = stats.n_bad
        report.bad = stats.bad
        report.seconds = {"signatures": t1 - t0, "candidates": t2 - t1, "verify": t3 - t2,
                          "components+write": t4 - t3, "total": time.perf_counter() - t0}
        os.replace(tmp_out, out)
        if tmp_keep is not None:
            os.replace(tmp_keep, keep_unique)
        return report
    finally:
        for p in (tmp_out, tmp_keep):
            if p is not None and p.exists():
                p.unlink()
        shutil.rmtree(work, ignore_errors=True)


def _count_no_words(work: Path, n: int) -> int:
    return n - pq.ParquetFile(work / "bands.parquet").metadata.num_rows


def write_unique(source: Path, target: Path, con, work: Path, labels: np.ndarray,
                 batch_size: int) -> int:
    """The corpus again, keeping each cluster's named member (and every singleton)."""
    lab = named_clusters(con, work, labels, "WHERE ids.id = names.name").fetchnumpy()["idx"]
    keep = np.zeros(len(labels), dtype=bool)
    keep[lab] = True
    written = 0
    start = 0
    schema = pa.schema([("id", pa.string()), ("text", pa.large_string())])
    with pq.ParquetWriter(target, schema) as w:
        for rb in read_batches(source, batch_size=batch_size):
            mask = pa.array(keep[start : start + rb.num_rows])
            start += rb.num_rows
            t = pa.Table.from_batches([rb]).filter(mask)
            written += t.num_rows
            w.write_table(t)
    if start != len(labels):
        raise PresscutError(f"{source}: changed while it was being deduplicated "
                            f"({len(labels)} rows, then {start})")
    return written
