"""The typer application object; command modules register themselves on it."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="presscut",
    help="Build, evaluate and compare systems on noisy scraped news pages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # sub-commands and sub-apps inherit these from the root context
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from presscut import __version__

        typer.echo(f"presscut {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Build, evaluate and compare systems on noisy scraped news pages."""


def make_console(stderr: bool = False):
    """The console every command prints through. Off a terminal (``presscut ... > log``)
    nothing is wrapped at 80 columns: long paths and table rows stay whole on one line."""
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr)
    return Console(stderr=stderr, soft_wrap=True, width=1000)
