"""Usage mistakes at the command line get one line (or the help), never a traceback (#10.1)."""

from __future__ import annotations

import pkgutil
import sys

import pytest

import presscut.cli as cli


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["presscut", *args])
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exc:
        cli.main()
    out, err = capsys.readouterr()
    code = exc.value.code
    return (0 if code is None else code), out, err


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--formt"], "--formt"),
        (["build", "--formt"], "--formt"),
        (["nosuch"], "nosuch"),
        (["synth", "-o", "x", "--n", "ten"], "--n"),
        (["eval"], "task"),
        (["eval", "stance"], "predictions"),
        (["baselines", "nosuch"], "nosuch"),
        (["baselines", "run", "--task"], "--task"),
    ],
)
def test_usage_errors_are_one_line(monkeypatch, capsys, args, needle):
    code, out, err = run_main(monkeypatch, capsys, *args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: presscut") and needle.lower() in lines[0].lower()
    assert "Traceback" not in err


@pytest.mark.parametrize("args", [[], ["-h"], ["--help"], ["baselines"], ["eval", "-h"],
                                  ["baselines", "run", "-h"]])
def test_help_requests_print_help_and_succeed(monkeypatch, capsys, args):
    code, out, err = run_main(monkeypatch, capsys, *args)
    assert code == 0, err
    assert "Usage" in out and err == ""


def test_version(monkeypatch, capsys):
    from presscut import __version__

    code, out, err = run_main(monkeypatch, capsys, "--version")
    assert code == 0 and out.strip() == f"presscut {__version__}" and err == ""


def test_every_command_module_is_registered():
    """A module in presscut/cli that is not in COMMANDS would silently add no command."""
    modules = {m.name for m in pkgutil.iter_modules(cli.__path__)} - {"app", "__main__"}
    assert modules == set(cli.COMMANDS)
    names = {c.name or c.callback.__name__ for c in cli.app.registered_commands}
    assert {"build", "validate", "synth", "import", "eval", "submit", "verify", "predict",
            "add", "show", "promote"} <= names


@pytest.mark.parametrize("args", [["synth", "-h"]])
def test_help_names_option_values_not_python_types(monkeypatch, capsys, args):
    code, out, _ = run_main(monkeypatch, capsys, *args)
    assert code == 0 and "<list[" not in out
