"""Bring your own corpus: turn common public formats into presscut records.

=============== ================================================ ==========================
format          input                                            output
=============== ================================================ ==========================
raw-folder      a folder of ``.txt`` pages                       ``pages`` rows (Parquet)
jsonl-articles  clean articles, one JSON object a line           a validated article pool
fnc1            the official FNC-1 CSVs                          the FNC-1 configs (a folder)
html-gold       ``html/<id>.html`` + ``gold/<id>.txt`` pairs     ``segmentation`` rows
=============== ================================================ ==========================

Every importer validates as it reads and refuses bad input with a :class:`PresscutError`
naming the file and the row or line. Rows are streamed to Parquet in batches.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from presscut.annotations import read_raw
from presscut.builder.parquet_stream import write_rows
from presscut.builder.pools import read_article_jsonl
from presscut.errors import PresscutError
from presscut.schema import (
    PAGES_FEATURES,
    PROVENANCES,
    SEGMENTATION_FEATURES,
    exact_repeats,
)
from presscut.schema import segmentation_row as schema_segmentation_row


@dataclass(frozen=True)
class ImportFormat:
    """One bring-your-own-corpus format, registered once with :func:`register_format`."""

    name: str
    reads: str  # what the input path is, one line for `presscut import --help`
    default_name: str  # the output's name when -o is a folder; its suffix is the format's
    # (input path, output path, report to fill in, options such as prefix) -> records written
    write: Callable[[Path, Path, dict, dict], int]


FORMATS: dict[str, ImportFormat] = {}

# Modules outside this one that define formats; each calls register_format() when imported.
FORMAT_MODULES: tuple[str, ...] = (
    "presscut.builder.fnc1",
    # the published labelled web-page corpora, one importer module each
    "presscut.builder.real.aeb",
    "presscut.builder.real.cleaneval",
    "presscut.builder.real.dragnet",
    "presscut.builder.real.cleanportaleval",
    "presscut.builder.real.readability",
    "presscut.builder.real.fundus",
)


def register_format(fmt: ImportFormat) -> ImportFormat:
    if fmt.name in FORMATS:
        raise ValueError(f"import format {fmt.name!r} is registered twice")
    FORMATS[fmt.name] = fmt
    return fmt


def parquet_format(
    name: str, reads: str, default_name: str, features, rows: Callable[[Path, dict, dict], Iterator[dict]]
) -> ImportFormat:
    """A format whose rows (``rows(path, report, options)``) stream to Parquet in batches."""

    def write(path: Path, target: Path, report: dict, options: dict) -> int:
        batch_size = options.get("batch_size", 1000)
        return write_rows(target, features, rows(Path(path), report, options), batch_size=batch_size)

    return register_format(ImportFormat(name, reads, default_name, write))


def formats() -> dict[str, ImportFormat]:
    """Every registered format, the other modules' included."""
    for module in FORMAT_MODULES:
        importlib.import_module(module)
    return FORMATS


def _out_path(fmt: ImportFormat, out: Path) -> Path:
    """``-o`` may name the output file, or a folder that gets the format's default name."""
    out = Path(out)
    if out.is_dir() or not out.suffix:
        return out / fmt.default_name
    want = Path(fmt.default_name).suffix
    if out.suffix != want:
        # a Parquet file under a .jsonl name fools every reader that trusts the suffix
        raise PresscutError(f"-o {out}: {fmt.name} writes {want} files; name the output *{want} "
                            "or give a folder")
    return out


def _need_dir(path: Path, what: str) -> Path:
    path = Path(path)
    if not path.is_dir():
        raise PresscutError(f"{path}: expected a folder of {what}")
    return path


# ------------------------------------------------------------------ raw folder
def raw_folder_rows(folder: Path) -> Iterator[dict]:
    folder = _need_dir(folder, ".txt pages")
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise PresscutError(f"{folder}: no .txt pages found")
    silver = PROVENANCES.index("silver")
    for path in files:
        # refuses non-UTF-8, empty and NUL-holding pages by file name; CRLF becomes LF
        text, sha = read_raw(path, normalize_newlines=True)
        yield {
            "doc_id": path.stem,
            "text": text,
            "sha256": sha,
            "n_lines": len(text.split("\n")),
            "n_articles": 0,
            "outlet": None,
            "outlet_evidence_lines": [],
            # not labelled yet: pre-labelling with a baseline makes the page silver
            "provenance": silver,
            "source_file": path.name,
            "note": "imported raw page; unlabelled, ready for silver pre-labelling",
        }


# ------------------------------------------------------------------ HTML + gold body
# Elements that start a new line, as text extractors render them.
_BLOCK = frozenset(
    "address article aside blockquote body br dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table td th tr ul caption title option".split()
)
_DROP = ("script", "style", "noscript", "template", "svg", "iframe", "head")


def html_to_lines(data: bytes | str) -> tuple[list[str], list[str]]:
    """Plain-text lines of an HTML page (one per block element, whitespace collapsed) and the
    page's headline candidates (``<h1>`` texts and ``<title>``)."""
    from lxml import etree
    from lxml import html as lxml_html

    root = lxml_html.document_fromstring(data)
    heads = [" ".join(t.text_content().split()) for t in root.iter("title", "h1")]
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    etree.strip_elements(root, *_DROP, with_tail=False)
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buf).split())
        if text:
            lines.append(text)
        buf.clear()

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK:
                flush()
            if el.text:
                buf.append(el.text)
        else:
            if tag in _BLOCK:
                flush()
            if el.tail:
                buf.append(el.tail)
    flush()
    return lines, [h for h in heads if h]


def align_gold(lines: list[str], gold: str, min_share: float = 0.5) -> tuple[list[bool], float]:
    """Which lines carry the gold body: a line is body when at least ``min_share`` of its words
    fall in the word-level longest common subsequence with the gold text. Also returns the
    share of gold words found on the page (alignment coverage)."""
    from rapidfuzz.distance import LCSseq

    owner: list[int] = []
    words: list[str] = []
    for i, line in enumerate(lines):
        toks = line.split()
        words += toks
        owner += [i] * len(toks)
    gold_words = gold.split()
    matched = [0] * len(lines)
    total = 0
    for op in LCSseq.opcodes(words, gold_words):
        if op.tag == "equal":
            for w in range(op.src_start, op.src_end):
                matched[owner[w]] += 1
            total += op.src_end - op.src_start
    body = [
        bool(line.split()) and matched[i] / len(line.split()) >= min_share
        for i, line in enumerate(lines)
    ]
    # no gold words: nothing of the gold was found, not all of it
    return body, (total / len(gold_words) if gold_words else 0.0)


def segmentation_row(doc_id: str, lines: list[str], body: list[bool], heads: list[str]) -> dict:
    """One segmentation row: the body lines and the nearest headline above them form the article."""
    from rapidfuzz import fuzz

    roles = ["boilerplate"] * len(lines)
    for i, is_body in enumerate(body):
        if is_body:
            roles[i] = "body"
    articles = []
    body_at = [i for i, b in enumerate(body) if b]
    if body_at:
        first, last = body_at[0], body_at[-1]
        start = first
        for i in range(first - 1, max(-1, first - 15), -1):
            if any(fuzz.ratio(lines[i], h) >= 90 for h in heads):
                roles[i], start = "title", i
                break
        articles.append((start, last + 1))
    # roles are derived by alignment, not read by a person
    return schema_segmentation_row(doc_id, lines, roles, articles, exact_repeats(lines), "silver")


def html_gold_rows(folder: Path, report: dict | None = None) -> Iterator[dict]:
    """``html/<id>.html`` with ``gold/<id>.txt`` (the benchmark's gold article body)."""
    folder = _need_dir(folder, "html/ and gold/ sub-folders")
    html_dir, gold_dir = folder / "html", folder / "gold"
    for d in (html_dir, gold_dir):
        if not d.is_dir():
            raise PresscutError(
                f"{folder}: missing sub-folder {d.name}/ (expected html/ and gold/)"
            )
    pages = sorted(p for p in html_dir.iterdir() if p.suffix in (".html", ".htm"))
    if not pages:
        raise PresscutError(f"{html_dir}: no .html pages found")
    low: list[str] = []
    for page in pages:
        gold_path = gold_dir / f"{page.stem}.txt"
        if not gold_path.is_file():
            raise PresscutError(f"{page}: no gold body {gold_path}")
        try:
            gold = gold_path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise PresscutError(f"{gold_path}: not UTF-8 (byte {err.start})") from None
        if not gold.split():
            # an empty gold body used to align trivially and count as 100% coverage
            raise PresscutError(f"{gold_path}: empty gold body (no words to align with {page.name})")
        data = page.read_bytes()
        if not data.strip():
            raise PresscutError(f"{page}: empty HTML file")
        try:
            lines, heads = html_to_lines(data)
        except Exception as err:  # lxml raises several types for unparseable input
            raise PresscutError(f"{page}: cannot parse HTML ({err})") from None
        if not lines:
            raise PresscutError(f"{page}: no text in the HTML page")
        body, coverage = align_gold(lines, gold)
        if coverage < 0.8:
            low.append(f"{page.stem} ({coverage:.0%})")
        yield segmentation_row(page.stem, lines, body, heads)
    if report is not None:
        report.update(pages=len(pages), low_coverage=low)


# ------------------------------------------------------------------ entry point
def _write_article_pool(path: Path, target: Path, report: dict, options: dict) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    n = 0
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for art in read_article_jsonl(Path(path)):
                fh.write(json.dumps(art.to_json(), ensure_ascii=False) + "\n")
                n += 1
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def _html_gold_rows(path: Path, report: dict, options: dict) -> Iterator[dict]:
    if "lxml" not in sys.modules:
        try:
            import lxml  # noqa: F401
        except ImportError:
            raise PresscutError("html-gold needs lxml: pip install lxml") from None
    return html_gold_rows(path, report)


parquet_format("raw-folder", "a folder of .txt pages", "pages.parquet", PAGES_FEATURES,
               lambda path, report, options: raw_folder_rows(path))
register_format(ImportFormat("jsonl-articles", "a JSONL file of clean articles",
                             "articles.jsonl", _write_article_pool))
parquet_format("html-gold", "a folder with html/<id>.html and gold/<id>.txt",
               "segmentation.parquet", SEGMENTATION_FEATURES, _html_gold_rows)


def import_corpus(fmt: str, path: Path, out: Path, **options) -> dict:
    """Run one importer; returns a report (output path, record count, format-specific notes).
    ``options`` go to the format (``batch_size`` for Parquet ones)."""
    known = formats()
    if fmt not in known:
        raise PresscutError(f"unknown import format {fmt!r}; formats:",
                            [f"{name}: {spec.reads}" for name, spec in known.items()])
    spec = known[fmt]
    target = _out_path(spec, out)
    report: dict = {"format": fmt, "input": str(path), "output": str(target)}
    report["records"] = spec.write(Path(path), target, report, options)
    return report
