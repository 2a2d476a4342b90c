"""The typer application object; command modules register themselves on it."""

import typer

app = typer.Typer(
    name="presscut",
    help="Build, evaluate and compare systems on noisy scraped news pages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
