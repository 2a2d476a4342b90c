"""A source page → one ``real`` record (or a refusal with its reason)."""

from __future__ import annotations

from dataclasses import dataclass

from presscut.builder.real import align as aligning
from presscut.builder.real import convert
from presscut.builder.real.source import SourcePage, sha256
from presscut.schema import DUP_KINDS, PROVENANCES, ROLES, is_blank, line_char_offsets

_IMPORTED = PROVENANCES.index("imported")


@dataclass
class Outcome:
    doc_id: str
    row: dict | None
    refused: str | None
    coverage: float


def _dup_groups(lines: list[str]) -> list[list[int]]:
    """Exact repeats of a non-blank line inside the page (whitespace-trimmed)."""
    seen: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if not is_blank(line):
            seen.setdefault(line.strip(), []).append(i)
    return sorted((g for g in seen.values() if len(g) > 1), key=lambda g: g[0])


def record(page: SourcePage, *, out_of_source: bool = False) -> Outcome:
    if page.refused:
        return Outcome(page.doc_id, None, page.refused, 0.0)
    conv = convert.convert(page.html)
    lines = conv.text.split("\n")
    if not conv.text.strip():
        return Outcome(page.doc_id, None, "the converter renders no text for the page", 0.0)
    al = aligning.align(lines, list(page.gold))
    if al.refused:
        return Outcome(page.doc_id, None, al.refused, al.coverage)
    roles = al.roles
    content = [i for i, r in enumerate(roles) if r in ("body", "title")]
    if not any(r == "body" for r in roles):
        return Outcome(page.doc_id, None, "no line aligns as body", al.coverage)
    start, end = content[0], content[-1] + 1
    offsets = line_char_offsets(lines)
    span = {
        "start_line": start,
        "end_line": end,
        "start_char": offsets[start],
        "end_char": offsets[end - 1] + len(lines[end - 1]),
    }
    groups = _dup_groups(lines)
    dup_of = [-1] * len(lines)
    for j, g in enumerate(groups):
        for i in g:
            dup_of[i] = j
    row = {
        "doc_id": page.doc_id,
        "lines": lines,
        "roles": [ROLES.index(r) for r in roles],
        "article_index": [0 if start <= i < end else -1 for i in range(len(lines))],
        "dup_group": dup_of,
        "articles": [span],
        "dup_groups": [{"lines": g, "kind": DUP_KINDS.index("exact")} for g in groups],
        "provenance": _IMPORTED,
        "sha256": sha256(conv.text.encode("utf-8")),
        "source": {"corpus": page.corpus, "page_id": page.page_id, "url": page.url},
        "licence": page.licence,
        "labelled_roles": sorted(ROLES.index(r) for r in page.labelled_roles),
        "converter": conv.converter,
        "html_sha256": sha256(page.html),
        "gold_body": page.gold_text(),
        "alignment_coverage": round(al.coverage, 4),
        "out_of_source": out_of_source,
    }
    return Outcome(page.doc_id, row, None, al.coverage)


def import_rows(pages, report: dict):
    """Rows of ``presscut import <source>``: every page imported or refused with its reason
    (``report["refused"]``), in the source's order."""
    refused = report.setdefault("refused", [])
    for page in pages:
        out = record(page)
        if out.row is None:
            refused.append(f"{out.doc_id}: {out.refused}")
        else:
            yield out.row


def register_import(name: str, reads: str, pages_of) -> None:
    """Register a source as a ``presscut import`` format writing ``real`` rows."""
    from presscut.builder.importers import parquet_format
    from presscut.schema import REAL_FEATURES

    parquet_format(name, reads, "real.parquet", REAL_FEATURES,
                   lambda path, report, _opts: import_rows(pages_of(path), report))
