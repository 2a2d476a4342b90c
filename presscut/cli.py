"""Entry point. Thin: each command lives in a ``cmd_*`` module over the library API."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape

from presscut import (  # noqa: F401  (imported to register their commands)
    cmd_baselines,
    cmd_build,
    cmd_curation,
    cmd_eval,
    cmd_leaderboard,
    cmd_synth,
)
from presscut.cli_app import app
from presscut.errors import PresscutError


def main() -> None:
    try:
        app(standalone_mode=False)
    except PresscutError as err:
        # the message is data (file names, JSON snippets): never read it as rich markup
        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]error:[/] {escape(err.render())}", highlight=False
        )
        sys.exit(err.exit_code)
    except SystemExit:
        raise
    except Exception as err:  # click usage errors etc. keep their own exit codes
        import click

        if isinstance(err, click.exceptions.ClickException):
            err.show()
            sys.exit(err.exit_code)
        if isinstance(err, click.exceptions.Abort):
            sys.exit(1)
        raise


if __name__ == "__main__":
    main()
