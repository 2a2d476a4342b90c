"""CLI commands for growing the gold set: add, show, promote, agreement."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from presscut import paths
from presscut.cli.app import app, make_console

ROOT_HELP = "project checkout holding corpus/ (default: this checkout or $PRESSCUT_ROOT)"


@app.command()
def add(
    pages: list[Path] = typer.Argument(..., help="raw page files, or folders of them: UTF-8 "
                                       "text (.txt), or HTML (.html, .htm: converted as the "
                                       "real pages were), gzipped or not"),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
    skip_duplicates: bool = typer.Option(
        False, "--skip-duplicates", help="skip pages already in the corpus instead of refusing"
    ),
) -> None:
    """Copy raw pages into the corpus and pre-label them as silver for review."""
    from presscut.annotations import page_files
    from presscut.curation.add import add_pages

    console = make_console()
    files = [path for _, path in page_files(pages)]
    added, skipped = add_pages(files, root, skip_duplicates=skip_duplicates, progress=True)
    # paths are data: "[/x].txt" read as rich markup crashed after the page was written
    for s in skipped:
        console.print(f"skipped {escape(str(s.source))}: already in the corpus as "
                      f"{escape(s.existing_doc_id)}", highlight=False)
    for a in added:
        console.print(
            f"added {escape(str(a.source))} as [bold]{escape(a.doc_id)}[/] ({a.n_lines} lines, "
            f"{a.n_articles} article(s), {a.n_dup_groups} duplicate group(s)) → "
            f"{escape(str(a.label_path))}",
            highlight=False,
        )
    if added:
        console.print(
            "review each label file (roles, spans, clusters, outlet), then "
            "`presscut show DOC_ID` and `presscut promote DOC_ID`"
        )


@app.command()
def show(
    doc_id: str = typer.Argument(..., help="page to render, e.g. 005_0123456789abcdef"),
    against: Path | None = typer.Option(
        None, "--against", help="segmentation predictions (JSONL) to compare with the labels"
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="HTML file to write (default: <doc_id>.html in the "
        "system's temporary folder, never the checkout)"),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
) -> None:
    """Write a static HTML view of one page: roles, articles, duplicates, notes."""
    from presscut.curation.page_html import show as render

    html = render(doc_id, against=against, root=root)
    if output is None:
        output = Path(tempfile.gettempdir()) / "presscut-show" / f"{doc_id}.html"
        output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    make_console().print(f"wrote {escape(str(output))}", highlight=False)


@app.command()
def promote(
    doc_id: str = typer.Argument(..., help="reviewed silver page to promote to gold"),
    reviewed_by: str | None = typer.Option(
        None, "--reviewed-by", metavar="NAME",
        help="who reviewed every label (written into the file with today's date); "
        "needed unless the file has a reviewed_by: line",
    ),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
) -> None:
    """Validate a reviewed silver label file and mark it gold (comments are kept)."""
    from presscut.curation.promote import promote as do_promote

    result = do_promote(doc_id, root, reviewed_by=reviewed_by)
    console = make_console()
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}", highlight=False)
    console.print(f"promoted {escape(doc_id)} to gold ({escape(str(result.label_path))})",
                  highlight=False)


@app.command()
def agreement(
    a_dir: Path = typer.Argument(..., help="first annotation folder (<doc_id>.yaml files)"),
    b_dir: Path = typer.Argument(..., help="second annotation folder"),
    raw: Path | None = typer.Option(None, "--raw", help="raw pages folder (default corpus/raw)"),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> None:
    """Inter-annotator agreement: role kappa, boundary F1, cluster ARI."""
    from presscut.curation.agreement import agreement as compare

    result = compare(a_dir, b_dir, raw or paths.raw_dir(root))
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    console = make_console()
    table = Table(title=escape(f"agreement: {a_dir} vs {b_dir} ({result['n_pages']} pages)"))
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("over")

    def fmt(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    table.add_row("role kappa (Cohen)", fmt(result["role_kappa"]), f"{result['n_lines']} lines")
    table.add_row("role raw agreement", fmt(result["role_agreement"]), f"{result['n_lines']} lines")
    n_art = result["n_articles"]
    table.add_row("boundary F1 exact", fmt(result["boundary_f1_exact"]),
                  f"{n_art[0]} vs {n_art[1]} articles")
    table.add_row("boundary F1 ±1 line", fmt(result["boundary_f1_within_1"]), "non-blank lines")
    paired = f"{result['n_paired_articles']} paired articles"
    table.add_row("dup_cluster ARI", fmt(result["dup_cluster_ari"]), paired)
    table.add_row("story_cluster ARI", fmt(result["story_cluster_ari"]), paired)
    console.print(table)
    for side in ("only_in_a", "only_in_b"):
        if result[side]:
            console.print(f"{side.replace('_', ' ')}: {escape(', '.join(result[side]))}",
                          highlight=False)
