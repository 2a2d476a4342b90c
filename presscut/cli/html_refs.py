"""CLI: ``presscut baselines html-refs`` — HTML extractors on the real test pages' HTML.

Needs the source folders (``presscut build --real-sources`` reads the same layout); CI has
none, so it does not run this: its results file is committed and the README shows it.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from presscut.cli.app import make_console
from presscut.cli.baselines import baselines_app
from presscut.paths import project_root

console = make_console()


@baselines_app.command("html-refs")
def html_refs(
    sources_dir: Path = typer.Argument(..., help="Folder holding article-extraction-benchmark/, "
                                       "html-cleaning-dataset-merged/ and fundus/, as for "
                                       "`presscut build --real-sources`."),
    extractor: list[str] = typer.Option(None, "--extractor", metavar="NAME",
                                        help="Only these extractors (repeatable)."),
    root: Path = typer.Option(None, help="Project checkout (default: this one)."),
) -> None:
    """Score trafilatura, resiliparse, readability-lxml and boilerpy3 on the original HTML
    of the real test pages; write results/html_refs.json and .md and the README rows."""
    from rich.progress import Progress

    from presscut.baselines import html_refs as refs
    from presscut.publish import update_result_docs

    root = root or project_root()
    log = make_console(stderr=True)
    with Progress(console=log, transient=True, disable=not log.is_terminal) as bar:
        job = bar.add_task("HTML references", total=None)
        results = refs.run(sources_dir, root, extractor or None,
                           progress=lambda: bar.advance(job))
    path = refs.write(results, root / "results")
    update_result_docs(root)
    console.print((root / "results" / "html_refs.md").read_text(encoding="utf-8"), markup=False)
    console.print(f"wrote {escape(str(path))} and the README's \"uses HTML\" rows",
                  highlight=False)
