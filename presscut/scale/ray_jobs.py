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


# ------------------------------------------------------------- partitioned stages
# Every shuffle below sends rows to one of ``parts`` partitions by a hash of their key and
# hands each partition whole to one NumPy call: a groupby per key would make one Python
# call per bucket, pair or node (hundreds of thousands), which is what made the Ray path
# ~10x slower than one machine.
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a well-spread uint64 from any int64/uint64 key."""
    z = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        z += _MIX
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _key2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return _mix(a) ^ (_mix(b) * _MIX)


def _key_array(col) -> np.ndarray:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        from pandas.util import hash_array  # deterministic across processes, unlike hash()

        return hash_array(np.asarray(col.to_pylist(), dtype=object))
    return col.to_numpy()


def _with_part(batch: pa.Table, cols: tuple[str, ...], parts: int) -> pa.Table:
    keys = [_key_array(batch.column(c)) for c in cols]
    h = _mix(keys[0]) if len(keys) == 1 else _key2(keys[0], keys[1])
    return batch.append_column("_p", pa.array((h % np.uint64(parts)).astype(np.int32)))


def _partitioned(ds, cols: tuple[str, ...], parts: int, fn, **kwargs):
    """``fn(partition_table, **kwargs)`` once per hash partition of ``cols``."""
    return (ds.map_batches(_with_part, fn_kwargs={"cols": cols, "parts": parts},
                           batch_format="pyarrow")
            .groupby("_p", num_partitions=parts)
            .map_groups(_drop_part, fn_kwargs={"fn": fn, "kwargs": kwargs},
                        batch_format="pyarrow"))


def _drop_part(group: pa.Table, fn, kwargs) -> pa.Table:
    return fn(group.drop_columns(["_p"]), **kwargs)


def _np(t: pa.Table, col: str) -> np.ndarray:
    return t.column(col).to_numpy()


def _pairs(i: np.ndarray, j: np.ndarray) -> pa.Table:
    return pa.table({"i": pa.array(i, pa.int64()), "j": pa.array(j, pa.int64())})


# ---------------------------------------------------------------- candidates
def _signatures(batch: pa.Table, params: DedupParams, bands: tuple[int, int]) -> pa.Table:
    out = signature_stage(batch, params, bands)
    return out.add_column(0, "idx", batch.column("idx"))


def _not_repeat(batch: pa.Table, skip):
    """Mask of rows whose ordinal is not a repeated id's (``skip``)."""
    return pc.invert(pc.is_in(batch.column("idx"), value_set=pa.array(skip, pa.int64())))


def _with_words(batch: pa.Table, skip):
    return pc.and_(batch.column("has_words"), _not_repeat(batch, skip))


def _explode_bands(batch: pa.Table, b: int, skip) -> pa.Table:
    keep = batch.filter(_with_words(batch, skip))
    n = keep.num_rows
    if not n:
        return pa.table({"band": pa.array([], pa.int64()), "h": pa.array([], pa.uint64()),
                         "idx": pa.array([], pa.int64())})
    return pa.table({
        "band": pa.array(np.repeat(np.arange(b, dtype=np.int64), n)),
        "h": pa.concat_arrays([keep.column(c).combine_chunks() for c in band_columns(b)]),
        "idx": pa.concat_arrays([keep.column("idx").combine_chunks()] * b),
    })


def _bucket_pairs(t: pa.Table, max_bucket: int) -> pa.Table:
    """Pairs (i < j) of each (band, h) bucket of a partition; a bucket over ``max_bucket``
    members links each to its first, as on one machine."""
    band, h, idx = _np(t, "band"), _np(t, "h"), _np(t, "idx")
    order = np.lexsort((idx, h, band))
    band, h, idx = band[order], h[order], idx[order]
    new = np.ones(len(idx), dtype=bool)
    new[1:] = (band[1:] != band[:-1]) | (h[1:] != h[:-1])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(idx)))
    out_i, out_j = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for m in np.unique(sizes[sizes > 1]):
        s = starts[sizes == m]
        if m > max_bucket:
            out_i.append(np.repeat(idx[s], m - 1))
            out_j.append(idx[(s[:, None] + np.arange(1, m)).ravel()])
        else:
            a, c = np.triu_indices(int(m), k=1)
            out_i.append(idx[(s[:, None] + a).ravel()])
            out_j.append(idx[(s[:, None] + c).ravel()])
    return _pairs(np.concatenate(out_i), np.concatenate(out_j))


def _unique_rows(t: pa.Table, a: str = "i", b: str = "j") -> pa.Table:
    """The distinct (a, b) rows of a partition, sorted."""
    x, y = _np(t, a), _np(t, b)
    if len(x):
        order = np.lexsort((y, x))
        x, y = x[order], y[order]
        keep = np.ones(len(x), dtype=bool)
        keep[1:] = (x[1:] != x[:-1]) | (y[1:] != y[:-1])
        x, y = x[keep], y[keep]
    return pa.table({a: pa.array(x, pa.int64()), b: pa.array(y, pa.int64())})


# ---------------------------------------------------------------- verification
# A join without a join operator: signature rows (``other`` = -1) and pair rows share one
# schema, are partitioned by ``key``, and each pair row takes its key's signature.
def _side_schema(num_perm: int) -> pa.Schema:
    return pa.schema([("key", pa.int64()), ("other", pa.int64()),
                      ("sig", pa.list_(pa.uint32(), num_perm))])


def _sig_rows(batch: pa.Table, num_perm: int) -> pa.Table:
    n = batch.num_rows
    return pa.table([batch.column("idx"), pa.array(np.full(n, -1, np.int64)),
                     batch.column("sig")], schema=_side_schema(num_perm))


def _pair_rows(batch: pa.Table, key: str, other: str, num_perm: int) -> pa.Table:
    return pa.table([batch.column(key), batch.column(other),
                     pa.nulls(batch.num_rows, pa.list_(pa.uint32(), num_perm))],
                    schema=_side_schema(num_perm))


def _split_sides(t: pa.Table, num_perm: int):
    """The pair rows' ``key``, ``other``, own ``sig`` column, and the signature of their key."""
    other = _np(t, "other")
    own = other == -1
    keys = _np(t, "key")
    sig_keys = keys[own]
    order = np.argsort(sig_keys, kind="stable")
    sigs = sig_matrix(t.column("sig").filter(pa.array(own)), num_perm)[order]
    pk = keys[~own]
    key_sig = sigs[np.searchsorted(sig_keys[order], pk)]
    return pk, other[~own], t.column("sig").filter(pa.array(~own)), key_sig


def _attach_first(t: pa.Table, num_perm: int) -> pa.Table:
    """Pairs keyed by i, plus i's signature → rows keyed by j carrying sig_i (other = i)."""
    pk, po, _, key_sig = _split_sides(t, num_perm)
    flat = pa.array(key_sig.reshape(-1), pa.uint32())
    return pa.table([pa.array(po, pa.int64()), pa.array(pk, pa.int64()),
                     pa.FixedSizeListArray.from_arrays(flat, num_perm)],
                    schema=_side_schema(num_perm))


def _verify_second(t: pa.Table, num_perm: int, threshold: float) -> pa.Table:
    """Rows keyed by j carrying sig_i (other = i ≥ 0), plus j's signature → verified (i, j)."""
    pk, po, carried, key_sig = _split_sides(t, num_perm)
    ok = verify_pairs(sig_matrix(carried, num_perm), key_sig, threshold)
    return _pairs(po[ok], pk[ok])


# ---------------------------------------------------------------- components
def _edges(u: np.ndarray, v: np.ndarray) -> pa.Table:
    return pa.table({"u": pa.array(u, pa.int64()), "v": pa.array(v, pa.int64())})


def _orient_down(batch: pa.Table) -> pa.Table:
    u, v = _np(batch, "u"), _np(batch, "v")
    return _edges(np.maximum(u, v), np.minimum(u, v))


def _group_min(u: np.ndarray, v: np.ndarray):
    """Edges sorted by u, and for each edge the minimum of v over its u's edges."""
    order = np.argsort(u, kind="stable")
    u, v = u[order], v[order]
    starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]]) if len(u) else np.zeros(0, np.intp)
    mins = np.minimum.reduceat(v, starts) if len(u) else v
    return u, v, np.repeat(mins, np.diff(np.append(starts, len(u))))


def _large_star(t: pa.Table) -> pa.Table:
    # edges both ways: for node u with m = min(u, N(u)), link each larger neighbour to m
    u, v, m = _group_min(_np(t, "u"), _np(t, "v"))
    m = np.minimum(m, u)
    big = v > u
    return _edges(v[big], m[big])


def _small_star(t: pa.Table) -> pa.Table:
    # edges oriented (u > v): link u and each of its smaller neighbours to m = min N(u)
    u, v, m = _group_min(_np(t, "u"), _np(t, "v"))
    rest = v != m
    first = np.r_[True, u[1:] != u[:-1]] if len(u) else np.zeros(0, bool)
    return _edges(np.concatenate([v[rest], u[first]]), np.concatenate([m[rest], m[first]]))


def _both_ways(batch: pa.Table) -> pa.Table:
    u, v = _np(batch, "u"), _np(batch, "v")
    return _edges(np.concatenate([u, v]), np.concatenate([v, u]))


def _checksum(batch: pa.Table) -> pa.Table:
    # an order-free fingerprint of the edge set: a sum of 24-bit mixes of (u, v), so the
    # per-batch sums cannot overflow; the driver adds them modulo 2**61 - 1
    h = _key2(_np(batch, "u"), _np(batch, "v")) >> np.uint64(40)
    return pa.table({"c": [int(h.sum(dtype=np.uint64))], "n": [batch.num_rows]})


def _edge_state(edges) -> tuple[int, int]:
    rows = edges.map_batches(_checksum, batch_format="pyarrow").take_all()
    return sum(r["n"] for r in rows), sum(r["c"] for r in rows) % (2**61 - 1)


def star_components(edges, parts: int, max_rounds: int = 64):
    """Edges ``(u, v)`` of int64 nodes → edges ``(node, component min)`` for every node with
    an edge except the minimum itself (alternating large-star and small-star rounds)."""
    def dedupe(ds):
        return _partitioned(ds.map_batches(_orient_down, batch_format="pyarrow"), ("u", "v"),
                            parts, _unique_rows, a="u", b="v")

    edges = dedupe(edges).materialize()
    state = _edge_state(edges)
    for _ in range(max_rounds):
        large = _partitioned(edges.map_batches(_both_ways, batch_format="pyarrow"), ("u",),
                             parts, _large_star)
        small = _partitioned(dedupe(large), ("u",), parts, _small_star)
        new = dedupe(small).materialize()
        new_state = _edge_state(new)
        edges = new
        if new_state == state:
            return edges
        state = new_state
    raise PresscutError(f"connected components did not converge in {max_rounds} rounds")


# ---------------------------------------------------------------- naming
# rows of (idx, comp, id): an article row has id and comp = -1; a label row has no id
def _article_rows(batch: pa.Table, skip) -> pa.Table:
    keep = batch.filter(_not_repeat(batch, skip))
    return pa.table({"idx": keep.column("idx"),
                     "comp": pa.array(np.full(keep.num_rows, -1, np.int64)),
                     "id": keep.column("id")})


def _label_rows(batch: pa.Table) -> pa.Table:
    # a star edge (node, min) labels the node and the minimum itself
    u, v = _np(batch, "u"), _np(batch, "v")
    return pa.table({"idx": pa.array(np.concatenate([u, v]), pa.int64()),
                     "comp": pa.array(np.concatenate([v, v]), pa.int64()),
                     "id": pa.nulls(2 * len(u), pa.string())})


def _give_comp(t: pa.Table) -> pa.Table:
    """Each article row takes its label's component, or its own ordinal when unlabelled."""
    comp = _np(t, "comp")
    art = comp == -1
    arts = t.filter(pa.array(art))
    lab_idx, lab_comp = _np(t, "idx")[~art], comp[~art]
    order = np.argsort(lab_idx, kind="stable")
    lab_idx, lab_comp = lab_idx[order], lab_comp[order]
    idx = _np(arts, "idx")
    at = np.minimum(np.searchsorted(lab_idx, idx), max(len(lab_idx) - 1, 0))
    found = (lab_idx[at] == idx) if len(lab_idx) else np.zeros(len(idx), bool)
    own = np.where(found, lab_comp[at] if len(lab_idx) else idx, idx)
    return pa.table({"idx": arts.column("idx"), "comp": pa.array(own, pa.int64()),
                     "id": arts.column("id")})


def _name_comps(t: pa.Table) -> pa.Table:
    """A component's name is its smallest id; ``size`` is its member count."""
    names = t.group_by("comp").aggregate([("id", "min"), ("idx", "count")])
    named = t.join(names, "comp")
    return pa.table({"idx": named.column("idx"), "article_id": named.column("id"),
                     "dup_cluster": named.column("id_min"),
                     "size": named.column("idx_count")})


def _cluster_counts(batch: pa.Table) -> pa.Table:
    size = _np(batch, "size")
    root = pc.equal(batch.column("article_id"), batch.column("dup_cluster")).to_numpy(
        zero_copy_only=False)
    return pa.table({"clusters": [int((root & (size > 1)).sum())],
                     "in_clusters": [int((size > 1).sum())]})


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
    parts = 2 * max(1, int(ray.cluster_resources().get("CPU", 1)))
    b, r = params.bands()
    npm = params.num_perm
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
        repeats = _partitioned(sigs.select_columns(["id", "idx"]), ("id",), parts,
                               _repeats).materialize()
        rep = [bt for bt in repeats.iter_batches(batch_format="pyarrow") if bt.num_rows]
        rep = pa.concat_tables(rep).sort_by("idx") if rep else None
        skip = rep.column("idx").to_numpy() if rep is not None else np.zeros(0, np.int64)
        t1 = time.perf_counter()
        long = sigs.map_batches(_explode_bands, fn_kwargs={"b": b, "skip": skip},
                                batch_format="pyarrow")
        cand = _partitioned(long, ("band", "h"), parts, _bucket_pairs,
                            max_bucket=params.max_bucket)
        cand = _partitioned(cand, ("i", "j"), parts, _unique_rows).materialize()
        report.candidates = cand.count()
        t2 = time.perf_counter()
        side = sigs.map_batches(_sig_rows, fn_kwargs={"num_perm": npm}, batch_format="pyarrow")
        first = _partitioned(
            cand.map_batches(_pair_rows, fn_kwargs={"key": "i", "other": "j", "num_perm": npm},
                             batch_format="pyarrow").union(side),
            ("key",), parts, _attach_first, num_perm=npm)
        edges = _partitioned(first.union(side), ("key",), parts, _verify_second,
                             num_perm=npm, threshold=params.threshold).materialize()
        report.verified = edges.count()
        t3 = time.perf_counter()
        rows = sigs.map_batches(_article_rows, fn_kwargs={"skip": skip}, batch_format="pyarrow")
        if report.verified:
            stars = star_components(edges.map_batches(
                lambda t: _edges(_np(t, "i"), _np(t, "j")), batch_format="pyarrow"), parts)
            rows = rows.union(stars.map_batches(_label_rows, batch_format="pyarrow"))
        named = _partitioned(_partitioned(rows, ("idx",), parts, _give_comp), ("comp",), parts,
                             _name_comps).materialize()
        counts = named.map_batches(_cluster_counts, batch_format="pyarrow").take_all()
        report.clusters = sum(c["clusters"] for c in counts)
        report.in_clusters = sum(c["in_clusters"] for c in counts)
        with pq.ParquetWriter(tmp_out, OUTPUT_SCHEMA) as w:
            for rb in named.sort("idx").iter_batches(batch_format="pyarrow", batch_size=50_000):
                w.write_table(rb.select(["article_id", "dup_cluster"]).cast(OUTPUT_SCHEMA))
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


def _repeats(t: pa.Table) -> pa.Table:
    """Rows of an id after its first occurrence, with that first ordinal."""
    firsts = t.group_by("id").aggregate([("idx", "min")])
    t = t.join(firsts, "id")
    later = pc.not_equal(t.column("idx"), t.column("idx_min"))
    t = t.filter(later)
    return pa.table({"id": t.column("id"), "idx": t.column("idx"), "first": t.column("idx_min")})


def _has_words_kept(batch: pa.Table, skip) -> pa.Table:
    return pa.table({"k": [pc.sum(pc.cast(_with_words(batch, skip), pa.int64())).as_py() or 0]})


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
