"""CLI commands: ``presscut build`` and ``presscut validate``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from presscut import paths
from presscut.cli.app import app, make_console
from presscut.errors import AnnotationError

console = make_console()


@app.command()
def validate(
    root: Path = typer.Option(None, help="Project checkout (default: this one)."),
) -> None:
    """Check every raw page and annotation file; exit non-zero naming each broken rule."""
    from presscut.builder.build import MANIFEST_FILE, gold_tables
    from presscut.builder.corpus import load_corpus, require_clean
    from presscut.builder.splits import read_manifest

    root, origin = paths.resolve_root(root)
    console.print(f"root: {escape(str(root))} ({origin})", highlight=False)
    corpus = load_corpus(root)
    require_clean(corpus)
    # build every record in memory as build would, so what validates, build can write
    gold_tables(corpus, read_manifest(paths.splits_dir(root) / MANIFEST_FILE))
    n_articles = sum(len(p.articles) for p in corpus.pages)
    console.print(
        f"ok: {len(corpus.pages)} pages, {n_articles} articles, "
        f"{len(corpus.stance)} annotated stance pairs"
    )


@app.command()
def build(
    root: Path = typer.Option(None, help="Project checkout (default: this one)."),
    out: Path = typer.Option(None, help="Output folder (default: <root>/splits)."),
    strict: bool = typer.Option(
        True, help="Fail on any refused page (--no-strict builds the rest)."
    ),
    synthetic: bool = typer.Option(True, help="Also build the synthetic config."),
    real_sources: Path = typer.Option(
        None,
        help="Folder holding the published corpora as cloned "
        "(article-extraction-benchmark/, html-cleaning-dataset-merged/, fundus/): rebuild the "
        "real config from them. Without it the committed real config is checked and kept.",
    ),
    repin_synthetic: bool = typer.Option(
        False, help="Renew corpus/synth_inputs.json, the pinned gold pages the synthetic "
        "generator learns from (new version; the synthetic config follows). Without it, "
        "added gold pages never move a synthetic page.",
    ),
) -> None:
    """Build every dataset config as Parquet under splits/, with a manifest and a build report."""
    from presscut.builder.build import REPORT_FILE
    from presscut.builder.build import build as run_build
    from presscut.builder.docs import update_docs

    root, origin = paths.resolve_root(root)
    console.print(f"root: {escape(str(root))} ({origin})", highlight=False)
    out_dir = out or paths.splits_dir(root)
    report = run_build(
        root, out_dir=out_dir, strict=strict, synthetic=synthetic, progress=True,
        real_sources=real_sources, repin_synthetic=repin_synthetic,
    )
    if out is None:
        update_docs(root, report)
    table = Table(title=f"presscut build → {escape(str(out_dir))}")
    table.add_column("config")
    for split in ("train", "validation", "test"):
        table.add_column(split, justify="right")
    for config, counts in report.rows.items():
        table.add_row(config, *(str(counts.get(s, 0)) for s in ("train", "validation", "test")))
    console.print(table)
    for p in report.refused:
        console.print(f"[yellow]refused[/] {escape(p['file'])}: {escape(p['reason'])}",
                      highlight=False)
    if report.real:
        refused = report.real["refused"]
        console.print(f"real: {len(refused)} source page(s) refused, each with its reason in the "
                      "build report", highlight=False)
    console.print(f"build report: {escape(str(out_dir / REPORT_FILE))}", highlight=False)
    if report.refused and strict:
        raise AnnotationError("some pages were refused")
