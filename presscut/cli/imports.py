"""CLI: ``presscut import`` (bring your own corpus in a public format)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from presscut.cli.app import app, make_console


@app.command("import")
def import_cmd(
    fmt: str = typer.Argument(
        ..., metavar="FORMAT",
        help="A registered format, e.g. raw-folder, jsonl-articles, fnc1, html-gold "
        "(an unknown name lists them all with what each reads).",
    ),
    path: Path = typer.Argument(..., help="Input folder or file, as the format reads it."),
    out: Path = typer.Option(
        ..., "-o", "--out", help="Output file, or a folder for the default name (fnc1: its configs' folder)."
    ),
) -> None:
    """Convert a public corpus format into presscut records."""
    from presscut.builder.importers import import_corpus

    report = import_corpus(fmt, path, out)
    console = make_console()
    console.print(f"{report['records']} record(s) → {escape(report['output'])}", highlight=False)
    for line in report.get("summary", []):  # format-specific lines (fnc1: splits, repeats)
        console.print(escape(line), highlight=False)
    if report.get("refused"):
        console.print(
            f"  [yellow]refused {len(report['refused'])} page(s):[/]", highlight=False
        )
        for line in report["refused"]:
            console.print(f"    {escape(line)}", highlight=False)
    if report.get("low_coverage"):
        console.print(
            f"  [yellow]gold body less than 80% found on {len(report['low_coverage'])} page(s):[/] "
            + escape(", ".join(report["low_coverage"][:20])),
            highlight=False,
        )
