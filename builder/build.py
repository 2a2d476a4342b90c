"""Raw pages + annotations → Parquet configs under ``splits/``, a manifest and a build report.

Deterministic: rows are sorted, no timestamps are written, and the Arrow schema is
fixed by ``presscut.schema``, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from presscut import paths
from presscut.annotations import Page, StancePair
from presscut.builder import splits as splitting
from presscut.builder.corpus import Corpus, load_corpus, require_clean
from presscut.errors import AnnotationError
from presscut.schema import (
    CONFIG_FEATURES,
    GOLD_CONFIGS,
    PROVENANCES,
    SPLITS,
    STANCE_SOURCES,
    STANCES,
)
from presscut.schema import segmentation_row as schema_segmentation_row

REPORT_FILE = "build_report.json"
MANIFEST_FILE = "manifest.json"


@dataclass
class BuildReport:
    pages: list[dict] = field(default_factory=list)
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # relative path → sha256
    # the real config: per-source counts and every refused page with its reason
    real: dict = field(default_factory=dict)

    @property
    def refused(self) -> list[dict]:
        return [p for p in self.pages if p["status"] == "refused"]

    def to_json(self) -> str:
        doc = {"pages": self.pages, "rows": self.rows, "files": self.files}
        if self.real:
            doc["real"] = self.real
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ rows
def page_row(page: Page) -> dict:
    return {
        "doc_id": page.doc_id,
        "text": page.text,
        "sha256": page.sha256,
        "n_lines": len(page.roles),
        "n_articles": len(page.articles),
        "outlet": page.outlet,
        "outlet_evidence_lines": list(page.outlet_evidence_lines),
        "provenance": PROVENANCES.index(page.provenance),
        "source_file": page.source_file,
        "note": page.note,
    }


def segmentation_row(page: Page) -> dict:
    return schema_segmentation_row(
        page.doc_id, page.lines, list(page.roles),
        [(a.start_line, a.end_line) for a in page.articles],
        [(g.lines, g.kind) for g in page.dup_groups], page.provenance)


def article_rows(page: Page) -> Iterable[dict]:
    for a in page.articles:
        start_char, end_char = page.char_span(a)
        yield {
            "article_id": page.article_id(a.k),
            "doc_id": page.doc_id,
            "k": a.k,
            "title": page.title(a),
            "body": page.body(a),
            "start_line": a.start_line,
            "end_line": a.end_line,
            "start_char": start_char,
            "end_char": end_char,
            "dup_cluster": a.dup_cluster,
            "story_cluster": a.story_cluster,
            "byline": a.byline,
            "cited_sources": list(a.cited_sources),
            "outlet": page.outlet,
            "provenance": PROVENANCES.index(page.provenance),
            "note": a.note,
        }


def stance_pairs(corpus: Corpus) -> list[StancePair]:
    """Every ordered pair of distinct articles: annotated, or unrelated by the cross-story rule."""
    annotated = {(p.headline_article_id, p.body_article_id): p for p in corpus.stance}
    articles = [(page.article_id(a.k), a.story_cluster) for page, a in corpus.articles()]
    pairs, missing = [], []
    for h, h_story in articles:
        for b, b_story in articles:
            if h == b:
                continue
            if (h, b) in annotated:
                pairs.append(annotated[(h, b)])
            elif h_story != b_story:
                pairs.append(
                    StancePair(
                        h,
                        b,
                        "unrelated",
                        "cross_story_rule",
                        "different story_cluster: unrelated by rule",
                    )
                )
            else:
                missing.append(f"{h} → {b} (story {h_story})")
    if missing:
        raise AnnotationError(
            "corpus/labels/_stance.yaml: same-story pairs have no stance label", missing
        )
    return pairs


def stance_row(pair: StancePair, texts: dict[str, tuple[str, str]], provenance: str) -> dict:
    return {
        "pair_id": f"{pair.headline_article_id}|{pair.body_article_id}",
        "headline_article_id": pair.headline_article_id,
        "body_article_id": pair.body_article_id,
        "headline": texts[pair.headline_article_id][0],
        "body": texts[pair.body_article_id][1],
        "stance": STANCES.index(pair.stance),
        "label_source": STANCE_SOURCES.index(pair.label_source),
        "provenance": PROVENANCES.index(provenance),
        "note": pair.note,
    }


# ------------------------------------------------------------------ writing
def config_table(rows: list[dict], config: str) -> pa.Table:
    """Rows as an Arrow table with the config's fixed schema; a value that does not fit it
    is an error naming the config (validate runs this too, so build cannot fail here)."""
    try:
        return pa.Table.from_pylist(rows, schema=CONFIG_FEATURES[config].arrow_schema)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as err:
        raise AnnotationError(f"config {config}: a record does not fit the schema: "
                              f"{str(err)[:200]}") from None


def write_parquet(rows: list[dict], config: str, path: Path) -> str:
    """Write rows with the config's fixed schema; returns the file's sha256."""
    table = config_table(rows, config)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", row_group_size=10_000)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def previous_dir(root: Path, out_dir: Path, manifest: str) -> Path:
    """Where the split assignment a build keeps is read: ``out_dir``'s manifest, or, for a
    build into a folder that has none, the project's committed one. Pages keep the split
    they were first given; re-deriving them in a fresh folder gave 24 CleanPortalEval pages
    other splits than the committed real config (their groups were placed when the corpus
    held other pages), so a rebuild elsewhere could not reproduce the committed files."""
    return out_dir if (out_dir / manifest).exists() else paths.splits_dir(root)


class Staging:
    """Every build output is written under ``<out>/.staging/`` and moved into place only
    once all of them were written: a build that fails part-way leaves the previous one
    whole (old manifest, report and Parquet files together), never a mix."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.dir = self.out_dir / ".staging"
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)

    def path(self, rel: str) -> Path:
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def commit(self) -> None:
        for path in sorted(p for p in self.dir.rglob("*") if p.is_file()):
            target = self.out_dir / path.relative_to(self.dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _stricter(a: str, b: str) -> str:
    # a pair that touches a held-out page is held out: test text never enters train
    return max(a, b, key=SPLITS.index)


def build(
    root: Path | None = None,
    *,
    out_dir: Path | None = None,
    strict: bool = True,
    synthetic: bool = True,
    synthetic_seed: int = 0,
    synthetic_sizes: dict[str, int] | None = None,
    progress: bool = False,
    real_sources: Path | None = None,
    repin_synthetic: bool = False,
) -> BuildReport:
    """Validate the corpus and write every config. ``strict`` fails on any refusal.

    The synthetic config is generated after the gold split assignment, because its pools
    may only draw on gold pages that the assignment puts in train or validation. Every
    output is staged and moved into place together (see :class:`Staging`).

    ``repin_synthetic`` renews the pin of the gold pages the generator learns from (see
    :mod:`presscut.builder.pools`) from this build's split assignment, with a new version.

    The ``real`` config is rebuilt from the published corpora when ``real_sources`` names
    their folder; otherwise the committed one is checked against its manifest and kept.
    """
    root = root or paths.project_root()
    out_dir = out_dir or paths.splits_dir(root)
    corpus = load_corpus(root)
    if strict:
        require_clean(corpus)
    report = BuildReport()
    # silver pages are machine pre-labels nobody has checked: they wait for review
    # (``presscut promote``) and stay out of the published gold configs
    pending = [p for p in corpus.pages if p.provenance != "gold"]
    corpus.pages = [p for p in corpus.pages if p.provenance == "gold"]
    if not corpus.pages:
        raise AnnotationError(
            f"{paths.corpus_dir(root)}: no page could be built",
            [f"{r.file}: {r.reason}" for r in corpus.refused],
        )

    previous = splitting.read_manifest(previous_dir(root, out_dir, MANIFEST_FILE) / MANIFEST_FILE)
    stage = Staging(out_dir)
    try:
        _write_all(root, corpus, pending, previous, stage, report, synthetic=synthetic,
                   synthetic_seed=synthetic_seed, synthetic_sizes=synthetic_sizes,
                   progress=progress, real_sources=real_sources, repin=repin_synthetic)
        stage.commit()
    finally:
        stage.discard()
    return report


def gold_tables(corpus: Corpus, previous: dict[str, str] | None = None):
    """Split assignment and every gold config's rows by split, without writing anything
    (``presscut validate`` builds these too: what validates, build can write)."""
    assignment = splitting.assign_splits(corpus.pages, previous or {})
    pairs = stance_pairs(corpus)
    by_split: dict[str, dict[str, list[dict]]] = {c: {s: [] for s in SPLITS} for c in GOLD_CONFIGS}
    texts: dict[str, tuple[str, str]] = {}
    split_of_article: dict[str, str] = {}
    pages = sorted(corpus.pages, key=lambda p: p.doc_id)
    for page in pages:
        split = assignment[page.doc_id]
        by_split["pages"][split].append(page_row(page))
        by_split["segmentation"][split].append(segmentation_row(page))
        for row in article_rows(page):
            by_split["articles"][split].append(row)
            texts[row["article_id"]] = (row["title"], row["body"])
            split_of_article[row["article_id"]] = split
    provenance_of = {page.article_id(a.k): page.provenance for page, a in corpus.articles()}
    for pair in sorted(pairs, key=lambda p: (p.headline_article_id, p.body_article_id)):
        split = _stricter(
            split_of_article[pair.headline_article_id], split_of_article[pair.body_article_id]
        )
        # a pair is as trustworthy as the less trusted of its two pages
        prov = max(
            provenance_of[pair.headline_article_id],
            provenance_of[pair.body_article_id],
            key=PROVENANCES.index,
        )
        by_split["stance"][split].append(stance_row(pair, texts, prov))
    for config in GOLD_CONFIGS:
        for split in SPLITS:
            config_table(by_split[config][split], config)
    return assignment, by_split


def _write_all(root, corpus, pending, previous, stage: Staging, report: BuildReport, *,
               synthetic, synthetic_seed, synthetic_sizes, progress, real_sources=None,
               repin=False) -> None:
    assignment, by_split = gold_tables(corpus, previous)
    groups = splitting.leakage_groups(corpus.pages)
    pages = sorted(corpus.pages, key=lambda p: p.doc_id)

    for config in GOLD_CONFIGS:
        report.rows[config] = {}
        for split in SPLITS:
            rel = f"{config}/{split}.parquet"
            report.files[rel] = write_parquet(by_split[config][split], config, stage.path(rel))
            report.rows[config][split] = len(by_split[config][split])

    stage.path(MANIFEST_FILE).write_text(splitting.manifest_json(assignment, groups),
                                         encoding="utf-8")
    built = {p.doc_id for p in corpus.pages}
    for page in pages:
        report.pages.append(
            {
                "file": page.source_file,
                "doc_id": page.doc_id,
                "status": "built",
                "split": assignment[page.doc_id],
                "provenance": page.provenance,
            }
        )
    for page in pending:
        report.pages.append(
            {
                "file": page.source_file,
                "doc_id": page.doc_id,
                "status": "pending_review",
                "provenance": page.provenance,
                "reason": f"provenance {page.provenance}: not reviewed yet "
                f"(presscut promote {page.doc_id})",
            }
        )
    for r in corpus.refused:
        report.pages.append(
            {"file": r.file, "doc_id": Path(r.file).stem, "status": "refused", "reason": r.reason}
        )
    assert built == {p["doc_id"] for p in report.pages if p["status"] == "built"}
    # the real config first: the synthetic pools read its train split (and keep out its
    # validation and test lines), from the stage when this build rebuilt it
    _build_real(root, stage, report, real_sources, progress)
    real_dir = stage.dir if real_sources is not None else stage.out_dir
    if synthetic:
        if repin:
            _repin(root, stage, assignment, real_dir)
        _build_synthetic(root, stage.dir, report, synthetic_seed, synthetic_sizes, progress,
                         assignment, real_dir)
    stage.path(REPORT_FILE).write_text(report.to_json(), encoding="utf-8")


def _build_real(root: Path, stage: Staging, report: BuildReport, sources: Path | None,
                progress: bool) -> None:
    from presscut.builder.real import build as real_build

    if sources is not None:  # written to the stage, moved into place with everything else
        real = real_build.build(sources, stage.dir, previous_dir=previous_dir(
            root, stage.out_dir, f"{real_build.CONFIG}/{real_build.MANIFEST}"),
            progress=progress)
    else:
        real = real_build.keep(stage.out_dir)
    if real is None:
        return
    report.rows[real_build.CONFIG] = real.rows
    report.files.update(real.files)
    report.real = real.summary()


def _repin(root, stage: Staging, assignment: dict[str, str], real_dir: Path) -> None:
    """Write the renewed pin where the corpus reads it (it is an input, not a build output:
    it is written before the synthetic pages that follow it)."""
    from presscut.builder.pools import pin_json, pin_path, read_pin

    old = read_pin(root)
    paths.write_whole(pin_path(root),
                      pin_json(root, assignment, (old["version"] + 1) if old else 1, real_dir))


def _build_synthetic(root, out_dir, report, seed, sizes, progress, manifest,
                     real_dir: Path | None = None) -> None:
    # a lenient build goes on without the pinned pages it refused (strict builds stop first)
    from presscut.builder.pools import default_pools
    from presscut.builder.synth_write import DEFAULT_SIZES, write_synthetic

    sizes = sizes or DEFAULT_SIZES
    write_synthetic(
        out_dir / "synthetic", sizes, seed=seed,
        pools=default_pools(root, manifest=manifest, refused=[p["doc_id"] for p in report.refused],
                            splits_dir=real_dir),
        progress=progress,
    )
    report.rows["synthetic"] = {}
    for split in SPLITS:
        if sizes.get(split, 0):
            rel = f"synthetic/{split}.parquet"
            report.files[rel] = hashlib.sha256((out_dir / rel).read_bytes()).hexdigest()
            report.rows["synthetic"][split] = sizes[split]
