"""Entry point. Thin: each command lives in a ``cmd_*`` module over the library API."""

from __future__ import annotations

import sys

from rich.console import Console

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
        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]error:[/] {err.render()}", highlight=False
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
