"""Write the ``real`` config (``splits/real/``) from the published sources, or keep it.

Layout expected under ``--real-sources DIR`` (each repository as its publisher ships it)::

    DIR/article-extraction-benchmark/   html/*.html.gz, ground-truth.json
    DIR/html-cleaning-dataset-merged/   cleaneval-final/, cleaneval-dev/, dragnet_data/,
                                        CleanPortalEval-master/, readability/
    DIR/fundus/                         a flairNLP/fundus checkout (or its
                                        tests/resources/parser/test_data/)

(``page-signal-master/`` in the merged repository is never read: it is the maintainers'
external held-out set.) Without the sources, :func:`keep` checks the committed files
against the committed manifest and leaves them as they are: CI has no raw sources, and a
build there must neither delete nor re-derive the config.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from presscut.builder.parquet_stream import write_rows
from presscut.builder.real import (
    aeb,
    align,
    cleaneval,
    cleanportaleval,
    dragnet,
    fundus,
    readability,
)
from presscut.builder.real import splits as real_splits
from presscut.builder.real.records import record
from presscut.builder.real.source import SourcePage
from presscut.builder.splits import read_manifest_doc
from presscut.errors import PresscutError
from presscut.paths import write_whole
from presscut.schema import REAL_FEATURES, ROLES, SPLITS

CONFIG = "real"
MANIFEST = "manifest.json"
INPUTS = "inputs.sha256"
MANIFEST_VERSION = 1
# The whole corpus kept out of training: the article-extraction benchmark is the only
# source of recent (2019–2020) news pages, the others date from 2007–2013, so a system
# trained on the older layouts is tested on how it carries over to current ones; its
# published extractor scores are the anchors the README compares against.
OUT_OF_SOURCE = "aeb"

AEB_DIR = "article-extraction-benchmark"
MERGED_DIR = "html-cleaning-dataset-merged"
FUNDUS_DIR = "fundus"
# (folder in the sources root, importer); the order is the order of the build report
SOURCES: tuple[tuple[str, Callable[[Path], Iterator[SourcePage]]], ...] = (
    (AEB_DIR, aeb.pages),
    (f"{MERGED_DIR}/cleaneval-final", lambda p: cleaneval.pages(p, prefix="final-")),
    (f"{MERGED_DIR}/cleaneval-dev", lambda p: cleaneval.pages(p, prefix="dev-")),
    (f"{MERGED_DIR}/dragnet_data", dragnet.pages),
    (f"{MERGED_DIR}/CleanPortalEval-master", cleanportaleval.pages),
    (f"{MERGED_DIR}/readability", readability.pages),
    # 2024–2026 news from 181 publishers in 40 countries (half of it not English): what a
    # news scraper meets today, split by publisher
    (FUNDUS_DIR, fundus.pages),
)
RESERVED = "page-signal-master"


@dataclass
class RealReport:
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path under splits/ → sha256
    sources: dict[str, dict[str, int]] = field(default_factory=dict)
    refused: list[dict] = field(default_factory=list)
    rebuilt: bool = False

    def summary(self) -> dict:
        """The same whether the config was rebuilt or kept, so the build report is too."""
        return {
            "sources": self.sources,
            "refused": sorted(self.refused, key=lambda r: r["doc_id"]),
        }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_pages(root: Path, progress: bool = False) -> Iterator[tuple[str, SourcePage]]:
    for folder, importer in SOURCES:
        path = root / folder
        if not path.is_dir():
            raise PresscutError(f"{root}: missing {folder}/ (see `presscut build --help`)")
        for page in importer(path):
            yield folder, page


def build(
    sources_root: Path, out_dir: Path, previous_dir: Path | None = None, progress: bool = False
) -> RealReport:
    """Import every source, align, split, and write ``out_dir/real/``. Pages keep the split
    that ``previous_dir/real/manifest.json`` (default: ``out_dir``'s) gives them."""
    sources_root = Path(sources_root)
    previous_dir = previous_dir or out_dir
    previous = read_manifest(previous_dir / CONFIG / MANIFEST).get("pages", {})
    report = RealReport(rebuilt=True)
    rows: list[dict] = []
    inputs: list[str] = []
    coverage: dict[str, float] = {}
    sites: dict[str, str] = {}
    bar = _progress(progress)
    for folder, page in bar(source_pages(sources_root), "importing real pages"):
        for rel, sha in page.input_files:
            inputs.append(f"{sha}  {folder}/{rel}")
        stats = report.sources.setdefault(page.corpus, {"imported": 0, "refused": 0})
        out = record(page, out_of_source=page.corpus == OUT_OF_SOURCE)
        coverage[out.doc_id] = round(out.coverage, 4)
        if page.site is not None:
            sites[out.doc_id] = f"{page.corpus}/{page.site}"
        if out.row is None:
            stats["refused"] += 1
            report.refused.append({"doc_id": out.doc_id, "reason": out.refused})
        else:
            stats["imported"] += 1
            rows.append(out.row)
    for folder, _ in SOURCES:
        if folder.endswith(("cleaneval-final", "cleaneval-dev")):
            # pages CleanEval published without a gold text: accounted for, not imported
            for name in cleaneval.missing_gold(sources_root / folder):
                report.refused.append(
                    {"doc_id": f"{folder}/input/{name}", "reason": "the source has no gold text"}
                )
                report.sources["cleaneval"]["no_gold"] = (
                    report.sources["cleaneval"].get("no_gold", 0) + 1
                )
    _reconstruction(rows, report.sources)
    groups = real_splits.leakage_groups(rows, sites)
    assignment = real_splits.assign(rows, groups, previous)
    dest = out_dir / CONFIG
    by_split = {s: sorted((r for r in rows if assignment[r["doc_id"]] == s), key=lambda r: r["doc_id"]) for s in SPLITS}
    for split in SPLITS:
        path = dest / f"{split}.parquet"
        report.rows[split] = write_rows(path, REAL_FEATURES, by_split[split], batch_size=500)
        report.files[f"{CONFIG}/{split}.parquet"] = _sha(path)
    write_whole(dest / INPUTS, "".join(f"{line}\n" for line in sorted(set(inputs))))
    files = {**report.files, f"{CONFIG}/{INPUTS}": _sha(dest / INPUTS)}
    report.files = dict(sorted(report.files.items()))
    manifest = {
        "version": MANIFEST_VERSION,
        "policy": real_splits.__doc__.strip().split("\n\n")[1].replace("\n", " "),
        "target_share": real_splits.TARGET_SHARE,
        "out_of_source": OUT_OF_SOURCE,
        "alignment": {
            "min_run": align.MIN_RUN,
            "min_line_share": align.MIN_LINE_SHARE,
            "min_coverage": align.MIN_COVERAGE,
            "min_gold_words": align.MIN_GOLD_WORDS,
        },
        "files": dict(sorted(files.items())),
        "sources": report.sources,
        "pages": dict(sorted(assignment.items())),
        "groups": {d: g for d, g in sorted(groups.items()) if g != d},
        "coverage": dict(sorted(coverage.items())),
        "refused": sorted(report.refused, key=lambda r: r["doc_id"]),
    }
    write_whole(dest / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return report


def rebuilt_body(row: dict) -> str:
    """The body a record's labels give back: its body and heading lines (headings too, as
    the sources' gold texts include them)."""
    keep_ = {ROLES.index("body"), ROLES.index("title")}
    return "\n".join(x for x, r in zip(row["lines"], row["roles"]) if r in keep_)


def _reconstruction(rows: list[dict], sources: dict[str, dict]) -> None:
    """Per source: mean alignment coverage and the macro 4-gram shingle F1 of the rebuilt
    body against the source's own gold body (the card's figures; a test re-derives them)."""
    from presscut.harness.metrics import body_prf

    f1: dict[str, list[float]] = {}
    cov: dict[str, list[float]] = {}
    for r in rows:
        c = r["source"]["corpus"]
        f1.setdefault(c, []).append(body_prf(r["gold_body"], rebuilt_body(r))[2])
        cov.setdefault(c, []).append(r["alignment_coverage"])
    for c, stats in sources.items():
        if c in f1:
            stats["reconstruction_f1"] = round(sum(f1[c]) / len(f1[c]), 4)
            stats["coverage_mean"] = round(sum(cov[c]) / len(cov[c]), 4)


def card_table(summary: dict, rows: dict[str, int]) -> str:
    """The card's per-source table (regenerated by ``presscut build``)."""
    from presscut.builder.real.source import LICENCES

    lines = [
        "| source | licence | imported | refused | reconstruction F1 | mean coverage |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for corpus, st in summary["sources"].items():
        refused = st.get("refused", 0) + st.get("no_gold", 0)
        lines.append(
            f"| {corpus} | {LICENCES[corpus]} | {st['imported']} | {refused} | "
            f"{st.get('reconstruction_f1', float('nan')):.4f} | {st.get('coverage_mean', float('nan')):.4f} |"
        )
    total = sum(st["imported"] for st in summary["sources"].values())
    lines.append(
        f"\n{total} pages: " + ", ".join(f"{s} {n}" for s, n in rows.items())
        + f"; out-of-source test: `{OUT_OF_SOURCE}` (test only)."
    )
    return "\n".join(lines) + "\n"


def keep(out_dir: Path) -> RealReport | None:
    """The committed config, checked against its manifest; None when there is none."""
    manifest_path = out_dir / CONFIG / MANIFEST
    if not manifest_path.exists():
        return None
    doc = read_manifest(manifest_path)
    report = RealReport(rebuilt=False, sources=doc.get("sources", {}), refused=doc.get("refused", []))
    for rel, sha in doc.get("files", {}).items():
        path = out_dir / rel
        if not path.is_file():
            raise PresscutError(
                f"{path}: listed in {manifest_path} but missing; rebuild it with "
                "`presscut build --real-sources DIR` or restore it from git"
            )
        if _sha(path) != sha:
            raise PresscutError(
                f"{path}: sha256 differs from {manifest_path}; the committed real config was "
                "edited — restore it from git or rebuild it from the sources"
            )
        if rel.endswith(".parquet"):  # the build report lists the data files
            report.files[rel] = sha
    for split, n in _counts(doc).items():
        report.rows[split] = n
    return report


def _counts(doc: dict) -> dict[str, int]:
    counts = dict.fromkeys(SPLITS, 0)
    for split in doc.get("pages", {}).values():
        counts[split] += 1
    return counts


def read_manifest(path: Path) -> dict:
    return read_manifest_doc(path, "real-config manifest")


def _progress(enabled: bool):
    def wrap(it, label):
        if not enabled:
            yield from it
            return
        from rich.progress import Progress

        with Progress(transient=True) as prog:
            task = prog.add_task(label, total=None)
            for item in it:
                yield item
                prog.advance(task)

    return wrap
