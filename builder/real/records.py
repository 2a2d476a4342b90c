"""A source page → one ``real`` record (or a refusal with its reason)."""

from __future__ import annotations

from dataclasses import dataclass

from presscut.builder.real import align as aligning
from presscut.builder.real import convert
from presscut.builder.real.source import SourcePage, sha256
from presscut.schema import ROLES, exact_repeats, segmentation_row


@dataclass
class Outcome:
    doc_id: str
    row: dict | None
    refused: str | None
    coverage: float


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
    row = {
        **segmentation_row(page.doc_id, lines, roles, [(start, end)], exact_repeats(lines),
                           "imported"),
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
