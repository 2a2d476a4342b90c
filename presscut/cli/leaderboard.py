"""CLI commands: submit, verify, leaderboard (registered on presscut.cli.app.app)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from presscut.cli.app import app, make_console
from presscut.errors import PresscutError


@app.command()
def submit(
    task: str = typer.Argument(..., help="Task name, e.g. segmentation or stance."),
    predictions: Path = typer.Argument(..., help="Predictions JSONL (see docs/predictions.md)."),
    system: str = typer.Option(..., "--system", help="System name shown on the board."),
    url: str = typer.Option(None, "--url", help="http(s) link to the system's code or page."),
    paper: str = typer.Option(None, "--paper", help="Paper link or citation."),
    description: str = typer.Option(None, "--description", help="What the system is; "
                                    "name its training data."),
    contact: str = typer.Option(None, "--contact", help="Who to ask about the submission."),
    split: str = typer.Option(None, "--split", help="Split to score (default: the task's)."),
    data: str = typer.Option("gold", "--data", help="gold or synthetic."),
    compress: bool = typer.Option(False, "--gzip", help="Store the predictions gzipped."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite this system's record."),
    board: bool = typer.Option(True, "--board/--no-board", help="Also refresh the board files "
                               "CI regenerates (README leaderboard, leaderboard/index.html)."),
    root: Path = typer.Option(None, "--root", help="Project root (default: this checkout)."),
) -> None:
    """Score a predictions file and write a re-scorable submission record."""
    from presscut.leaderboard.records import load_record, states_path
    from presscut.leaderboard.submit import refresh_board
    from presscut.leaderboard.submit import submit as do_submit

    path = do_submit(
        task, predictions, system, url=url, paper=paper, description=description,
        contact=contact, split=split, data=data, root=root, compress=compress, replace=replace,
    )
    record = load_record(path)
    console = make_console()
    console.print(f"wrote [bold]{escape(str(path))}[/]", highlight=False)
    ci = record.ci.get(record.main_score)
    ci_text = f" [{ci[0]:.4f}, {ci[1]:.4f}]" if ci and None not in ci else ""
    console.print(
        f"{escape(record.task)} ({escape(record.split)}, {escape(record.data)}): "
        f"{escape(record.main_score)} = {record.main_value:.4f}{escape(ci_text)}"
        if record.main_value is not None else f"{escape(record.main_score)} undefined",
        highlight=False,
    )
    changed = refresh_board(root) if board else []
    for path in changed:
        console.print(f"refreshed {escape(str(path))}", highlight=False)
    console.print("Open a pull request with the record, its predictions file, "
                  f"{escape(str(states_path(root)))} and the refreshed board files "
                  "(see docs/submitting.md).", highlight=False)


@app.command()
def verify(
    root: Path = typer.Option(None, "--root", help="Project root (default: this checkout)."),
    allow_stale: bool = typer.Option(
        False, "--allow-stale", help="Report stale records but do not fail on them."
    ),
) -> None:
    """Re-score every submission record from its stored predictions."""
    from presscut.leaderboard.verify import OK, STALE
    from presscut.leaderboard.verify import verify as do_verify

    console = make_console()
    checks = do_verify(root, progress=console.is_terminal)
    table = Table(title=f"{len(checks)} submission record(s)")
    for column in ("record", "task", "status", "detail"):
        table.add_column(column, overflow="fold")
    styles = {OK: "green", STALE: "yellow"}
    for check in checks:
        style = styles.get(check.status, "red")
        task = check.record.task if check.record else "?"
        table.add_row(escape(check.name), escape(task),
                      f"[{style}]{check.status.upper()}[/]", escape(check.detail))
    console.print(table)
    failing = [c for c in checks if not c.passed and not (allow_stale and c.status == STALE)]
    if failing:
        raise PresscutError(
            f"{len(failing)} of {len(checks)} record(s) did not verify",
            [f"{c.name}: {c.status.upper()}: {c.detail}" for c in failing],
        )
    console.print(f"all {len(checks)} record(s) verified", highlight=False)


@app.command()
def leaderboard(
    task: str = typer.Option(None, "--task", help="Only this task."),
    fmt: str = typer.Option("md", "--format", help="md or html."),
    output: Path = typer.Option(None, "-o", "--output", help="Write here instead of stdout."),
    readme: Path = typer.Option(
        None, "--readme", help="Rewrite the board between the leaderboard markers of this file."
    ),
    root: Path = typer.Option(None, "--root", help="Project root (default: this checkout)."),
) -> None:
    """Render the leaderboard as Markdown or a self-contained HTML page."""
    from presscut.leaderboard.html_page import render_html
    from presscut.leaderboard.markdown import render_markdown, update_readme
    from presscut.leaderboard.records import load_records
    from presscut.leaderboard.verify import current_states

    if fmt not in ("md", "html"):
        raise PresscutError(f"--format {fmt!r}: use md or html")
    records = load_records(root)
    current = current_states(records, root) if records else {}
    if readme is not None:
        if task is not None:
            raise PresscutError("--readme takes the whole board; leave out --task")
        changed = update_readme(readme, render_markdown(records, current))
        make_console().print(f"{readme}: {'updated' if changed else 'already current'}",
                        highlight=False)
        return
    text = (render_html if fmt == "html" else render_markdown)(records, current, task)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        make_console().print(f"wrote {escape(str(output))}", highlight=False)
