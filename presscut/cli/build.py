"""CLI commands: ``presscut build`` and ``presscut validate``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from presscut import paths
from presscut.cli.app import app
from presscut.errors import AnnotationError

console = Console()


@app.command()
def validate(
    root: Path = typer.Option(None, help="Project checkout (default: this one)."),
) -> None:
    """Check every raw page and annotation file; exit non-zero naming each broken rule."""
    from presscut.builder.build import stance_pairs
    from presscut.builder.corpus import load_corpus, require_clean

    corpus = load_corpus(root)
    require_clean(corpus)
    stance_pairs(corpus)
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
) -> None:
    """Build every dataset config as Parquet under splits/, with a manifest and a build report."""
    from presscut.builder.build import REPORT_FILE
    from presscut.builder.build import build as run_build
    from presscut.builder.docs import update_docs

    root = root or paths.project_root()
    out_dir = out or paths.splits_dir(root)
    report = run_build(root, out_dir=out_dir, strict=strict, synthetic=synthetic, progress=True)
    if out is None:
        update_docs(root, report)
    table = Table(title=f"presscut build → {out_dir}")
    table.add_column("config")
    for split in ("train", "validation", "test"):
        table.add_column(split, justify="right")
    for config, counts in report.rows.items():
        table.add_row(config, *(str(counts.get(s, 0)) for s in ("train", "validation", "test")))
    console.print(table)
    for p in report.refused:
        console.print(f"[yellow]refused[/] {p['file']}: {p['reason']}")
    console.print(f"build report: {out_dir / REPORT_FILE}")
    if report.refused and strict:
        raise AnnotationError("some pages were refused")
