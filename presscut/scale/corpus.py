"""Read a corpus as Arrow record batches: a folder of pages, JSONL, or Parquet.

Every stage of :mod:`presscut.scale` consumes the same two columns, ``id`` and ``text``
(strings), in batches of at most ``batch_size`` rows, so nothing downstream holds the
corpus. What is read:

================ ============================================================================
source           rows
================ ============================================================================
folder           every page file under it (sorted path order): ``*.txt`` (``text`` the
                 UTF-8 content), ``*.html``/``*.htm``/``*.xhtml`` (rendered to text by
                 the real config's converter, the ``real`` extra), and ``.gz`` of either;
                 ``id`` is the path relative to the folder without the suffix
``.jsonl``       one JSON object a line (``.jsonl.gz`` too); ``id`` from ``article_id``,
                 ``doc_id`` or ``id``; ``text`` from ``body`` (articles: an empty body falls
                 back to ``title``), ``text`` or ``lines`` (a list of lines)
``.parquet``     a file, or a folder of ``*.parquet`` files, with the same column names; a
                 ``presscut segment`` output (an ``articles`` list column) yields its
                 articles, one row each, for ``presscut dedup``
================ ============================================================================

A row that cannot be read is not dropped in silence: it becomes a :class:`BadRow` naming
the file, the line or row, and what is wrong; the caller counts and reports them.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from presscut.errors import PresscutError

ID_FIELDS = ("article_id", "doc_id", "id")
TEXT_FIELDS = ("body", "text", "lines")
SCHEMA = pa.schema([("id", pa.string()), ("text", pa.large_string())])


@dataclass(frozen=True)
class BadRow:
    source: str  # file
    where: str  # "line 12", "row 3"
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.where}: {self.reason}"

    def as_dict(self) -> dict:
        return {"source": self.source, "where": self.where, "reason": self.reason}


@dataclass
class ReadStats:
    rows: int = 0  # rows handed on
    bad: list[BadRow] = field(default_factory=list)
    max_kept: int = 10_000  # bad rows kept for the report (all are counted)
    n_bad: int = 0

    def add_bad(self, bad: BadRow) -> None:
        self.n_bad += 1
        if len(self.bad) < self.max_kept:
            self.bad.append(bad)


def _batch(ids: list[str], texts: list[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array(ids, pa.string()),
                                       pa.array(texts, pa.large_string())], schema=SCHEMA)


# ------------------------------------------------------------------ folder of pages
def _folder(path: Path, batch_size: int, stats: ReadStats) -> Iterator[pa.RecordBatch]:
    from presscut.annotations import folder_pages, page_kind, read_page, unzipped
    from presscut.errors import AnnotationError

    named = folder_pages(path)
    files = [f for _, f in named]
    if not files:
        raise PresscutError(f"{path}: no pages found (.txt, .html, .htm, .xhtml, .gz of them, "
                            "or files that open as HTML)")
    kinds = {f: page_kind(f) for f in files}
    if any(k == "html" for k in kinds.values()):
        try:
            import resiliparse  # noqa: F401 - the HTML converter, an optional extra
        except ImportError:
            raise PresscutError(f"{path}: its HTML pages need the converter (resiliparse): "
                                "pip install 'presscut[real]'") from None
    ids: list[str] = []
    texts: list[str] = []
    seen: dict[str, Path] = {}
    for doc_id, f in named:
        if doc_id in seen:
            stats.add_bad(BadRow(str(f), "file", f"id {doc_id!r} is taken by {seen[doc_id]}"))
            continue
        seen[doc_id] = f
        try:
            if kinds[f] == "text":  # a text page is read as it is, byte for byte
                text = unzipped(f, f.read_bytes()).decode("utf-8")
            else:  # HTML, rendered as the real pages were
                text = read_page(f)
        except UnicodeDecodeError as err:
            stats.add_bad(BadRow(str(f), "file", f"not UTF-8 (byte {err.start})"))
            continue
        except AnnotationError as err:
            stats.add_bad(BadRow(str(f), "file", err.message.removeprefix(f"{f}: ")))
            continue
        except OSError as err:
            stats.add_bad(BadRow(str(f), "file", f"cannot read ({err.strerror or err})"))
            continue
        ids.append(doc_id)
        texts.append(text)
        if len(ids) >= batch_size:
            yield _batch(ids, texts)
            ids, texts = [], []
    if ids:
        yield _batch(ids, texts)


# ------------------------------------------------------------------------- JSONL
def _pick(rec: dict, names: tuple[str, ...]) -> tuple[str | None, object]:
    for n in names:
        if n in rec and rec[n] is not None:
            return n, rec[n]
    return None, None


def _row_text(rec: dict) -> str | None | Exception:
    name, value = _pick(rec, TEXT_FIELDS)
    if name == "lines":
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            return ValueError("'lines' must be a list of strings")
        return "\n".join(value)
    if name is None:
        title = rec.get("title")
        return title if isinstance(title, str) else None
    if not isinstance(value, str):
        return ValueError(f"{name!r} must be a string, got {type(value).__name__}")
    if name == "body" and not value.strip() and isinstance(rec.get("title"), str):
        return rec["title"]  # an article whose body is empty is still known by its title
    return value


def _jsonl(path: Path, batch_size: int, stats: ReadStats) -> Iterator[pa.RecordBatch]:
    opener = gzip.open if path.suffix == ".gz" else open
    ids: list[str] = []
    texts: list[str] = []
    with opener(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            where = f"line {lineno}"
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as err:
                stats.add_bad(BadRow(str(path), where, f"not JSON ({err})"))
                continue
            if not isinstance(rec, dict):
                stats.add_bad(BadRow(str(path), where,
                                     f"expected a JSON object, got {type(rec).__name__}"))
                continue
            id_name, rid = _pick(rec, ID_FIELDS)
            if not isinstance(rid, str) or not rid:
                stats.add_bad(BadRow(str(path), where, "no id: need a non-empty string in one of "
                                     + ", ".join(ID_FIELDS)))
                continue
            text = _row_text(rec)
            if isinstance(text, Exception):
                stats.add_bad(BadRow(str(path), where, f"{rid!r}: {text}"))
                continue
            if text is None:
                stats.add_bad(BadRow(str(path), where, f"{rid!r}: no text: need one of "
                                     + ", ".join(TEXT_FIELDS)))
                continue
            ids.append(rid)
            texts.append(text)
            if len(ids) >= batch_size:
                yield _batch(ids, texts)
                ids, texts = [], []
    if ids:
        yield _batch(ids, texts)


# ----------------------------------------------------------------------- Parquet
def _first(names: list[str], wanted: tuple[str, ...]) -> str | None:
    return next((n for n in wanted if n in names), None)


def _parquet_file(path: Path, batch_size: int, stats: ReadStats) -> Iterator[pa.RecordBatch]:
    try:
        # pre_buffer (the default) keeps every byte range read so far until the file is
        # closed: reading a 1M-article file in batches would hold all of it
        pf = pq.ParquetFile(path, pre_buffer=False)
    except (pa.ArrowInvalid, OSError) as err:
        raise PresscutError(f"{path}: not a readable Parquet file ({err})") from None
    names = pf.schema_arrow.names
    if "articles" in names and isinstance(pf.schema_arrow.field("articles").type, pa.ListType):
        yield from _segmented(path, pf, batch_size, stats)
        return
    id_col = _first(names, ID_FIELDS)
    text_col = _first(names, TEXT_FIELDS)
    if id_col is None or text_col is None:
        raise PresscutError(f"{path}: need an id column ({', '.join(ID_FIELDS)}) and a text "
                            f"column ({', '.join(TEXT_FIELDS)}); found {', '.join(names)}")
    cols = [id_col, text_col] + (["title"] if text_col == "body" and "title" in names else [])
    row0 = 0
    for rb in pf.iter_batches(batch_size=batch_size, columns=cols):
        ids = rb.column(id_col)
        texts = rb.column(text_col)
        if text_col == "lines":
            texts = pc.binary_join(texts, "\n")
        if not pa.types.is_string(ids.type) and not pa.types.is_large_string(ids.type):
            raise PresscutError(f"{path}: column {id_col!r} must hold strings, not {ids.type}")
        texts = texts.cast(pa.large_string())
        if "title" in cols:
            title = rb.column("title").cast(pa.large_string())
            empty = pc.or_kleene(pc.is_null(texts), pc.equal(pc.utf8_trim_whitespace(texts), ""))
            texts = pc.if_else(pc.and_(pc.fill_null(empty, True), pc.is_valid(title)), title, texts)
        bad = pc.or_(pc.or_(pc.is_null(ids), pc.equal(pc.fill_null(ids, ""), "")),
                     pc.is_null(texts))
        if pc.any(bad).as_py():
            for i in pc.indices_nonzero(bad).to_pylist():
                what = (f"no id in column {id_col!r}" if not ids[i].is_valid or not ids[i].as_py()
                        else f"{ids[i].as_py()!r}: no text in column {text_col!r}")
                stats.add_bad(BadRow(str(path), f"row {row0 + i}", what))
            keep = pc.invert(bad)
            ids, texts = pc.filter(ids, keep), pc.filter(texts, keep)
        row0 += rb.num_rows
        if len(ids):
            yield pa.RecordBatch.from_arrays([ids.cast(pa.string()), texts], schema=SCHEMA)


def _segmented(path: Path, pf: pq.ParquetFile, batch_size: int, stats: ReadStats
               ) -> Iterator[pa.RecordBatch]:
    """Articles of a ``presscut segment`` output, one row each (their body text)."""
    for rb in pf.iter_batches(batch_size=max(1, batch_size // 4), columns=["articles"]):
        arts = pc.list_flatten(rb.column("articles"))
        if not len(arts):
            continue
        ids = pc.struct_field(arts, "article_id")
        body = pc.struct_field(arts, "body").cast(pa.large_string())
        title = pc.struct_field(arts, "title").cast(pa.large_string())
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(body), ""), True)
        text = pc.if_else(pc.and_(empty, pc.is_valid(title)), title, pc.fill_null(body, ""))
        yield pa.RecordBatch.from_arrays([ids.cast(pa.string()), text], schema=SCHEMA)


# ------------------------------------------------------------------------ entry
def corpus_files(source: Path) -> tuple[str, list[Path]]:
    """The kind of corpus (``folder``, ``jsonl``, ``parquet``) and the files it reads."""
    source = Path(source)
    if not source.exists():
        raise PresscutError(f"{source}: no such file or folder")
    name = source.name.lower()
    if source.is_file():
        if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
            return "jsonl", [source]
        if name.endswith(".parquet"):
            return "parquet", [source]
        raise PresscutError(f"{source}: unknown corpus format (want a folder of .txt pages, "
                            ".jsonl or .parquet)")
    parquet = sorted(source.rglob("*.parquet"))
    if parquet:
        return "parquet", parquet
    jsonl = sorted(p for p in source.rglob("*") if p.name.lower().endswith((".jsonl", ".jsonl.gz")))
    if jsonl and not any(source.rglob("*.txt")):
        return "jsonl", jsonl
    return "folder", [source]


def count_rows(source: Path) -> int | None:
    """Rows the corpus holds when that is cheap to know (Parquet metadata, a folder's files)."""
    try:
        kind, files = corpus_files(source)
    except PresscutError:
        return None
    if kind == "parquet":
        total = 0
        for f in files:
            try:
                pf = pq.ParquetFile(f)
            except (pa.ArrowInvalid, OSError):
                return None
            if "articles" in pf.schema_arrow.names:
                return None  # articles per page are only known once read
            total += pf.metadata.num_rows
        return total
    if kind == "folder":
        return sum(1 for p in files[0].rglob("*.txt") if p.is_file())
    return None


def read_batches(source: Path, *, batch_size: int = 2000, stats: ReadStats | None = None
                 ) -> Iterator[pa.RecordBatch]:
    """Record batches ``(id, text)`` of the corpus; bad rows go to ``stats``."""
    stats = stats if stats is not None else ReadStats()
    kind, files = corpus_files(source)
    for f in files:
        reader = {"folder": _folder, "jsonl": _jsonl, "parquet": _parquet_file}[kind]
        for rb in reader(f, batch_size, stats):
            stats.rows += rb.num_rows
            yield rb
