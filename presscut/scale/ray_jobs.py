"""The same stages on Ray Data: ``read_parquet`` → ``map_batches`` → band groupby → components.

Nothing here collects pairs or signatures on the driver: candidate pairs come out of a
``groupby(band, hash).map_groups`` (the analogue of the DuckDB GROUP BY), are verified
after two hash joins that bring both signatures to the pair, and the clusters are the
connected components found by alternating *large-star* and *small-star* rounds
(Kiveris et al., "Connected Components in MapReduce and Beyond", SoCC 2014), each a
groupby over the edge list, until a round leaves the edges unchanged (checked by a count
and an order-free checksum, two numbers on the driver). A cluster is named after its
smallest member id, as on one machine, so both paths give identical output.

The corpus is first staged by the driver's streaming reader into Parquet shards of
``(idx, id, text)`` (so bad rows are named and counted exactly as on one machine); on a
real cluster put ``workdir`` on storage every node can read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from presscut.errors import PresscutError
from presscut.scale.corpus import BadRow, ReadStats, read_batches
from presscut.scale.dedup import OUTPUT_SCHEMA, DedupReport, atomic_target
from presscut.scale.stages import (
    DedupParams,
    band_columns,
    sig_matrix,
    signature_stage,
    verify_pairs,
)


def init(address: str | None = None, num_cpus: int | None = None) -> None:
    """Connect to a cluster (``auto`` or ``HOST:PORT``) or start a local one."""
    try:
        import ray
    except ImportError:
        raise PresscutError('the Ray path needs Ray: pip install "presscut[ray]"') from None
    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    if address:
        try:
            ray.init(address=address, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as err:
            raise PresscutError(f"cannot reach the Ray cluster at {address!r} ({err})") from None
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    from ray.data.context import ShuffleStrategy

    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    # groupbys as sort-based shuffle tasks: the hash shuffle starts aggregator actors for
    # every groupby, which costs seconds each on a small cluster
    ctx.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED


def stage_corpus(source: Path, shards: Path, *, batch_size: int, stats: ReadStats,
                 rows_per_shard: int = 50_000, progress: Callable[[int], None] | None = None
                 ) -> int:
    """Stream the corpus into Parquet shards of ``(idx, id, text)``; returns the row count."""
    shards.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([("idx", pa.int64()), ("id", pa.string()), ("text", pa.large_string())])
    n = 0
    writer = None
    in_shard = 0
    try:
        for rb in read_batches(source, batch_size=batch_size, stats=stats):
            if writer is None or in_shard >= rows_per_shard:
                if writer is not None:
                    writer.close()
                writer = pq.ParquetWriter(shards / f"part-{n:012d}.parquet", schema)
                in_shard = 0
            idx = pa.array(np.arange(n, n + rb.num_rows, dtype=np.int64))
            writer.write_table(pa.table([idx, rb.column(0), rb.column(1)], schema=schema))
            n += rb.num_rows
            in_shard += rb.num_rows
            if progress:
                progress(rb.num_rows)
    finally:
        if writer is not None:
            writer.close()
    return n


# ------------------------------------------------------------- map_batches bodies
def _signatures(batch: pa.Table, params: DedupParams, bands: tuple[int, int]) -> pa.Table:
    out = signature_stage(batch, params, bands)
    return out.add_column(0, "idx", batch.column("idx"))


def _explode_bands(batch: pa.Table, b: int, skip) -> pa.Table:
    keep = pc.and_(batch.column("has_words"),
                   pc.invert(pc.is_in(batch.column("idx"), value_set=pa.array(skip, pa.int64()))))
    keep = batch.filter(keep)
    n = keep.num_rows
    if not n:
        return pa.table({"band": pa.array([], pa.int16()), "h": pa.array([], pa.uint64()),
                         "idx": pa.array([], pa.int64())})
    return pa.table({
        "band": pa.array(np.repeat(np.arange(b, dtype=np.int16), n)),
        "h": pa.concat_arrays([keep.column(c).combine_chunks() for c in band_columns(b)]),
        "idx": pa.concat_arrays([keep.column("idx").combine_chunks()] * b),
    })


def _bucket_pairs(group: pa.Table, max_bucket: int) -> pa.Table:
    idx = np.sort(group.column("idx").to_numpy())
    m = len(idx)
    if m < 2:
        return pa.table({"i": pa.array([], pa.int64()), "j": pa.array([], pa.int64())})
    if m > max_bucket:  # as on one machine: link to the first member only
        return pa.table({"i": np.full(m - 1, idx[0]), "j": idx[1:]})
    a, c = np.triu_indices(m, k=1)
    return pa.table({"i": idx[a], "j": idx[c]})


def _unique_pairs(group: pa.Table) -> pa.Table:
    return group.slice(0, 1).select(["i", "j"])


# A join without a join operator: rows of the two sides share one schema (``key``, the pair's
# ``other`` end or -1 for the signature row, ``id``, ``sig``), are grouped by ``key``, and
# every pair row of a group takes the group's signature row.
def _side_schema(num_perm: int) -> pa.Schema:
    return pa.schema([("key", pa.int64()), ("other", pa.int64()), ("id", pa.string()),
                      ("sig", pa.list_(pa.uint32(), num_perm))])


def _sig_rows(batch: pa.Table, num_perm: int) -> pa.Table:
    n = batch.num_rows
    return pa.table([batch.column("idx"), pa.array(np.full(n, -1, np.int64)), batch.column("id"),
                     batch.column("sig")], schema=_side_schema(num_perm))


def _pair_rows(batch: pa.Table, key: str, other: str, num_perm: int) -> pa.Table:
    n = batch.num_rows
    return pa.table([batch.column(key), batch.column(other), pa.nulls(n, pa.string()),
                     pa.nulls(n, pa.list_(pa.uint32(), num_perm))], schema=_side_schema(num_perm))


def _attach(group: pa.Table) -> pa.Table:
    other = group.column("other").to_numpy()
    own = np.flatnonzero(other < 0)
    pairs = np.flatnonzero(other >= 0)
    if len(own) == 0 or len(pairs) == 0:
        return pa.table({"key": pa.array([], pa.int64()), "other": pa.array([], pa.int64()),
                         "id": pa.array([], pa.string()),
                         "sig": pa.array([], group.schema.field("sig").type)})
    sig_row = group.take([int(own[0])])
    n = len(pairs)
    return pa.table({"key": group.column("key").take(pairs), "other": pa.array(other[pairs]),
                     "id": pa.concat_arrays([sig_row.column("id").combine_chunks()] * n),
                     "sig": pa.concat_arrays([sig_row.column("sig").combine_chunks()] * n)})


def _with_sig(pairs, sigs, key: str, other: str, num_perm: int, parts: int):
    """``pairs`` (with columns ``key``/``other`` named as given) + the signature of ``key``."""
    rows = pairs.map_batches(_pair_rows, fn_kwargs={"key": key, "other": other,
                                                    "num_perm": num_perm},
                             batch_format="pyarrow")
    side = sigs.map_batches(_sig_rows, fn_kwargs={"num_perm": num_perm}, batch_format="pyarrow")
    return rows.union(side).groupby("key", num_partitions=parts).map_groups(
        _attach, batch_format="pyarrow")


def _as_second(batch: pa.Table) -> pa.Table:
    # (i, j, id_i, sig_i) keyed again by j
    return pa.table({"j": batch.column("other"), "i": batch.column("key"),
                     "id_i": batch.column("id"), "sig_i": batch.column("sig")})


def _verify_group(group: pa.Table, num_perm: int, threshold: float) -> pa.Table:
    """Group of ``j``: its signature row and the pairs (i, j) carrying ``sig_i``."""
    other = group.column("other").to_numpy()
    own = np.flatnonzero(other == -1)
    firsts = np.flatnonzero(other == -2)
    empty = pa.table({"u": pa.array([], pa.string()), "v": pa.array([], pa.string())})
    if len(own) == 0 or len(firsts) == 0:
        return empty
    sig_j = sig_matrix(group.column("sig").take([int(own[0])]), num_perm)
    sig_i = sig_matrix(group.column("sig").take(firsts), num_perm)
    ok = verify_pairs(sig_i, np.broadcast_to(sig_j, sig_i.shape), threshold)
    if not ok.any():
        return empty
    id_i = group.column("id").take(firsts).filter(pa.array(ok))
    id_j = group.column("id").take([int(own[0])]).combine_chunks()
    return pa.table({"u": id_i.combine_chunks(),
                     "v": pa.concat_arrays([id_j] * len(id_i))})


def _second_rows(batch: pa.Table, num_perm: int) -> pa.Table:
    # first-stage output rows marked other = -2: they carry sig_i and id_i
    n = batch.num_rows
    return pa.table([batch.column("other"), pa.array(np.full(n, -2, np.int64)), batch.column("id"),
                     batch.column("sig")], schema=_side_schema(num_perm))


def _both_ways(batch: pa.Table) -> pa.Table:
    u, v = batch.column("u"), batch.column("v")
    return pa.table({"u": pa.concat_arrays([u.combine_chunks(), v.combine_chunks()]),
                     "v": pa.concat_arrays([v.combine_chunks(), u.combine_chunks()])})


def _large_star(group: pa.Table) -> pa.Table:
    u = group.column("u")[0].as_py()
    nb = sorted(set(group.column("v").to_pylist()))
    m = min(nb[0], u)
    out = [v for v in nb if v > u and v != m]
    return pa.table({"u": pa.array(out, pa.string()), "v": pa.array([m] * len(out), pa.string())})


def _small_star(group: pa.Table) -> pa.Table:
    # edges arrive oriented (u = larger end, v = smaller end): u's neighbours below it
    u = group.column("u")[0].as_py()
    nb = set(group.column("v").to_pylist())
    nb.add(u)
    m = min(nb)
    out = sorted(x for x in nb if x != m)
    return pa.table({"u": pa.array(out, pa.string()), "v": pa.array([m] * len(out), pa.string())})


def _orient_down(batch: pa.Table) -> pa.Table:
    u, v = batch.column("u"), batch.column("v")
    hi = pc.if_else(pc.greater(u, v), u, v)
    lo = pc.if_else(pc.greater(u, v), v, u)
    return pa.table({"u": hi, "v": lo})


def _checksum(batch: pa.Table) -> pa.Table:
    import hashlib

    # 40-bit terms: a sum over 2**23 edges stays an exact int64
    sums = np.zeros(batch.num_rows, dtype=np.int64)
    for k, (u, v) in enumerate(zip(batch.column("u").to_pylist(), batch.column("v").to_pylist())):
        sums[k] = int.from_bytes(hashlib.blake2b(f"{u}\0{v}".encode(), digest_size=5).digest(),
                                 "little")
    return pa.table({"c": sums})


def _edge_state(edges) -> tuple[int, int]:
    n = edges.count()
    if n == 0:
        return 0, 0
    total = edges.map_batches(_checksum, batch_format="pyarrow").sum("c")
    return n, int(total)


def _dedupe_edges(edges, parts: int):
    return edges.groupby(["u", "v"], num_partitions=parts).map_groups(
        lambda g: g.slice(0, 1).select(["u", "v"]), batch_format="pyarrow")


def star_components(edges, parts: int, max_rounds: int = 64):
    """Edges ``(u, v)`` → edges ``(node, component min)`` for every node with an edge."""
    edges = _dedupe_edges(edges.map_batches(_orient_down, batch_format="pyarrow"), parts)
    edges = edges.materialize()
    state = _edge_state(edges)
    for _ in range(max_rounds):
        large = (edges.map_batches(_both_ways, batch_format="pyarrow")
                 .groupby("u", num_partitions=parts)
                 .map_groups(_large_star, batch_format="pyarrow"))
        small = (_dedupe_edges(large.map_batches(_orient_down, batch_format="pyarrow"), parts)
                 .groupby("u", num_partitions=parts)
                 .map_groups(_small_star, batch_format="pyarrow"))
        new = _dedupe_edges(small, parts).materialize()
        new_state = _edge_state(new)
        edges = new
        if new_state == state:
            return edges
        state = new_state
    raise PresscutError(f"connected components did not converge in {max_rounds} rounds")


# -------------------------------------------------------------------- the job
def dedup_corpus(source: Path, out: Path, params: DedupParams | None = None, *,
                 address: str | None = None, num_cpus: int | None = None,
                 batch_size: int = 2000, workdir: Path | None = None,
                 progress: Callable[[int], None] | None = None) -> DedupReport:
    """:func:`presscut.scale.dedup.dedup_corpus` on Ray Data; same output, same report."""
    import ray

    params = params or DedupParams()
    if not params.verify:
        raise PresscutError("taking every LSH candidate unverified (--no-verify) is not "
                            "available on Ray yet")
    init(address, num_cpus)
    parts = max(2, int(ray.cluster_resources().get("CPU", 2)))
    b, r = params.bands()
    report = DedupReport()
    stats = ReadStats()
    work = Path(tempfile.mkdtemp(prefix="presscut-ray-dedup-", dir=workdir))
    tmp_out = atomic_target(out)
    try:
        t0 = time.perf_counter()
        n = stage_corpus(source, work / "corpus", batch_size=batch_size, stats=stats,
                         progress=progress)
        if n == 0:
            raise PresscutError(f"{source}: no readable rows")
        ds = ray.data.read_parquet(str(work / "corpus"))
        sigs = ds.map_batches(_signatures, fn_kwargs={"params": params, "bands": (b, r)},
                              batch_format="pyarrow", batch_size=batch_size).materialize()
        # a repeated id keeps its first occurrence, as on one machine; the repeats are few
        # (each is a bad row), so their ordinals travel to the workers as one small array
        repeats = (sigs.select_columns(["id", "idx"]).groupby("id", num_partitions=parts)
                   .map_groups(_repeats, batch_format="pyarrow")).materialize()
        rep = [bt for bt in repeats.iter_batches(batch_format="pyarrow") if bt.num_rows]
        rep = pa.concat_tables(rep).sort_by("idx") if rep else None
        skip = rep.column("idx").to_numpy() if rep is not None else np.zeros(0, np.int64)
        t1 = time.perf_counter()
        long = sigs.map_batches(_explode_bands, fn_kwargs={"b": b, "skip": skip},
                                batch_format="pyarrow")
        cand = (long.groupby(["band", "h"], num_partitions=parts)
                .map_groups(_bucket_pairs, fn_kwargs={"max_bucket": params.max_bucket},
                            batch_format="pyarrow"))
        cand = cand.groupby(["i", "j"], num_partitions=parts).map_groups(
            _unique_pairs, batch_format="pyarrow").materialize()
        report.candidates = cand.count()
        t2 = time.perf_counter()
        first = _with_sig(cand, sigs, "i", "j", params.num_perm, parts)
        second = first.map_batches(_second_rows, fn_kwargs={"num_perm": params.num_perm},
                                   batch_format="pyarrow")
        side = sigs.map_batches(_sig_rows, fn_kwargs={"num_perm": params.num_perm},
                                batch_format="pyarrow")
        edges = (second.union(side).groupby("key", num_partitions=parts)
                 .map_groups(_verify_group, fn_kwargs={"num_perm": params.num_perm,
                                                       "threshold": params.threshold},
                             batch_format="pyarrow")).materialize()
        report.verified = edges.count()
        t3 = time.perf_counter()
        stars = star_components(edges, parts) if report.verified else None
        ids = sigs.map_batches(_own_label, fn_kwargs={"skip": skip}, batch_format="pyarrow")
        if stars is not None:
            labels = stars.map_batches(_star_label, batch_format="pyarrow")
            result = ids.union(labels).groupby("article_id", num_partitions=parts).map_groups(
                _pick_label, batch_format="pyarrow")
        else:
            result = ids
        result = result.sort("article_id")
        in_clusters = 0
        with pq.ParquetWriter(tmp_out, OUTPUT_SCHEMA) as w:
            for rb in result.iter_batches(batch_format="pyarrow", batch_size=50_000):
                t = rb.select(["article_id", "dup_cluster"]).cast(OUTPUT_SCHEMA)
                in_clusters += pc.sum(pc.not_equal(t["article_id"], t["dup_cluster"])).as_py() or 0
                w.write_table(t)
        report.clusters = stars.groupby("v").count().count() if stars is not None else 0
        report.in_clusters = in_clusters + report.clusters
        n_repeats = 0 if rep is None else rep.num_rows
        if rep is not None:
            for row in rep.to_pylist():
                stats.add_bad(BadRow(str(source), f"article #{row['idx']}",
                                     f"id {row['id']!r} repeats the id of article #{row['first']}"))
        report.articles = n - n_repeats
        report.no_words = report.articles - (
            sigs.map_batches(_has_words_kept, fn_kwargs={"skip": skip}, batch_format="pyarrow")
            .sum("k") or 0)
        report.bad_rows = stats.n_bad
        report.bad = stats.bad
        report.seconds = {"signatures": t1 - t0, "candidates": t2 - t1, "verify": t3 - t2,
                          "components+write": time.perf_counter() - t3,
                          "total": time.perf_counter() - t0}
        os.replace(tmp_out, out)
        return report
    finally:
        if tmp_out.exists():
            tmp_out.unlink()
        shutil.rmtree(work, ignore_errors=True)


def _repeats(group: pa.Table) -> pa.Table:
    """Rows of an id after its first occurrence, with that first ordinal."""
    idx = group.column("idx").to_numpy()
    first = int(idx.min())
    later = idx != first
    return pa.table({"id": group.column("id").filter(pa.array(later)), "idx": idx[later],
                     "first": np.full(int(later.sum()), first, dtype=np.int64)})


def _own_label(batch: pa.Table, skip) -> pa.Table:
    keep = batch.filter(pc.invert(pc.is_in(batch.column("idx"),
                                           value_set=pa.array(skip, pa.int64()))))
    aid = keep.column("id")
    return pa.table({"article_id": aid, "dup_cluster": aid,
                     "star": pa.array(np.zeros(keep.num_rows, dtype=bool))})


def _star_label(batch: pa.Table) -> pa.Table:
    return pa.table({"article_id": batch.column("u"), "dup_cluster": batch.column("v"),
                     "star": pa.array(np.ones(batch.num_rows, dtype=bool))})


def _pick_label(group: pa.Table) -> pa.Table:
    star = group.column("star").to_numpy(zero_copy_only=False)
    pick = int(np.flatnonzero(star)[0]) if star.any() else 0
    return group.take([pick]).select(["article_id", "dup_cluster"])


def _has_words_kept(batch: pa.Table, skip) -> pa.Table:
    keep = pc.and_(batch.column("has_words"),
                   pc.invert(pc.is_in(batch.column("idx"), value_set=pa.array(skip, pa.int64()))))
    return pa.table({"k": [pc.sum(pc.cast(keep, pa.int64())).as_py() or 0]})


# ------------------------------------------------------------------ segmentation
def segment_corpus(source: Path, out: Path, *, model: str | None = None,
                   address: str | None = None, num_cpus: int | None = None,
                   batch_size: int = 500, workdir: Path | None = None,
                   progress: Callable[[int], None] | None = None):
    """:func:`presscut.scale.segment.segment_corpus` with the stage as a Ray ``map_batches``."""
    import ray

    from presscut.scale.segment import OUTPUT_SCHEMA as SEG_SCHEMA
    from presscut.scale.segment import SegmentReport, default_model

    init(address, num_cpus)
    stats = ReadStats()
    work = Path(tempfile.mkdtemp(prefix="presscut-ray-segment-", dir=workdir))
    tmp_out = atomic_target(out)
    report = SegmentReport()
    ctx = ray.data.DataContext.get_current()
    keep_order = ctx.execution_options.preserve_order
    try:
        t0 = time.perf_counter()
        n = stage_corpus(source, work / "corpus", batch_size=batch_size, stats=stats,
                         progress=progress)
        if n == 0:
            raise PresscutError(f"{source}: no readable rows")
        model_name = str(model) if model else default_model()
        ctx.execution_options.preserve_order = True  # output in corpus order without a sort
        ds = ray.data.read_parquet(str(work / "corpus")).map_batches(
            _segment_batch, fn_kwargs={"model": model}, batch_format="pyarrow",
            batch_size=batch_size)
        with pq.ParquetWriter(tmp_out, SEG_SCHEMA) as w:
            for rb in ds.iter_batches(batch_format="pyarrow", batch_size=10_000):
                t = rb.drop_columns(["idx"]).cast(SEG_SCHEMA)
                report.pages += t.num_rows
                report.articles += pc.sum(pc.list_value_length(t["articles"])).as_py() or 0
                w.write_table(t)
        report.model = model_name
        report.bad_rows = stats.n_bad
        report.bad = stats.bad
        report.seconds = time.perf_counter() - t0
        os.replace(tmp_out, out)
        return report
    finally:
        ctx.execution_options.preserve_order = keep_order
        if tmp_out.exists():
            tmp_out.unlink()
        shutil.rmtree(work, ignore_errors=True)


# Ray reuses a worker process for many tasks: each loads the model once and keeps it (a
# loaded stage passed in fn_kwargs would be unpickled again by every task, seconds each)
_STAGES: dict = {}


def _segment_batch(batch: pa.Table, model: str | None) -> pa.Table:
    from presscut.scale.segment import SegmentStage

    if model not in _STAGES:
        _STAGES[model] = SegmentStage(model)
    return _STAGES[model](batch).add_column(0, "idx", batch.column("idx"))
