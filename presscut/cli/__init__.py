"""The ``presscut`` command line: thin commands over the library API.

Each module of this package holds one command or one family of commands and registers them
on :data:`presscut.cli.app.app` with ``@app.command()`` (or ``app.add_typer``). To add a
command, write its module here and add its name to :data:`COMMANDS` — nothing else changes.
"""

from __future__ import annotations

import importlib
import sys

from presscut.cli.app import app
from presscut.errors import PresscutError

# Modules of this package that register commands, in the order `presscut --help` lists them.
COMMANDS = (
    "build",
    "synth",
    "imports",
    "baselines",
    "fnc1",
    "html_refs",
    "eval",
    "leaderboard",
    "curation",
    "scale",
)

for _name in COMMANDS:
    importlib.import_module(f"{__name__}.{_name}")


def _exception_modules() -> list:
    """typer >= 0.20 runs on its own copy of click (``typer._click``, with ``Abort`` moved to
    ``typer.exceptions``); older typer runs on click. Errors may come from either."""
    mods = []
    for name in ("typer._click.exceptions", "typer.exceptions", "click.exceptions"):
        try:
            mods.append(importlib.import_module(name))
        except ImportError:
            pass
    return mods


def _classes(mods: list, name: str) -> tuple[type, ...]:
    return tuple(getattr(m, name) for m in mods if isinstance(getattr(m, name, None), type))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _usage_error(err) -> tuple[str, int]:
    """One line for a usage error: where it happened, what is wrong, where help is."""
    ctx = getattr(err, "ctx", None)
    where = ctx.command_path if ctx is not None else "presscut"
    return (f"{where}: {_one_line(err.format_message())} (see '{where} --help')",
            getattr(err, "exit_code", 2))


def main(argv: list[str] | None = None) -> None:
    from rich.console import Console
    from rich.markup import escape

    def fail(message: str, code: int) -> None:
        # the message is data (file names, JSON snippets): never read it as rich markup
        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]error:[/] {escape(message)}", highlight=False
        )
        sys.exit(code)

    mods = _exception_modules()
    no_args, usage, abort = (_classes(mods, n) for n in ("NoArgsIsHelpError", "ClickException",
                                                         "Abort"))
    try:
        code = app(args=argv, prog_name="presscut", standalone_mode=False)
    except PresscutError as err:
        fail(err.render(), err.exit_code)
    except no_args as err:
        # a bare `presscut` (or `presscut baselines`) is a request for help, not a mistake
        print(err.ctx.get_help())
        sys.exit(0)
    except usage as err:
        fail(*_usage_error(err))
    except abort:
        fail("aborted", 1)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
