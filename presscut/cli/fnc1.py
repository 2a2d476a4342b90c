"""CLI: ``presscut baselines fnc1`` — the stance and story baselines on FNC-1.

Needs the FNC-1 configs that ``presscut import fnc1`` builds from a copy of the official
files; not part of CI's reproduction run (the files are not redistributable).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from presscut.cli.app import make_console
from presscut.cli.baselines import baselines_app
from presscut.paths import project_root

console = make_console()


@baselines_app.command("fnc1")
def fnc1_baselines(
    fnc1_dir: Path = typer.Argument(..., help="Folder written by `presscut import fnc1`."),
    stance: list[str] = typer.Option(None, "--stance", help="Only these stance baselines."),
    story: list[str] = typer.Option(None, "--story", help="Only these story baselines."),
    root: Path = typer.Option(None, help="Project checkout to write results/fnc1 and README."),
    resamples: int = typer.Option(1000, help="Bootstrap resamples for the CIs."),
    publish_only: bool = typer.Option(
        False, "--publish-only",
        help="Only re-render README and leaderboard/fnc1.md from results/fnc1/results.json, "
             "with each baseline's description as its code gives it now (nothing fitted, "
             "the test not scored again)."),
) -> None:
    """Fit on FNC-1 train, tune on its hold-out, score the competition test once;
    write results/fnc1/, leaderboard/fnc1.md and README's FNC-1 tables."""
    from presscut.baselines import fnc1_bench

    root = root or project_root()

    def log(msg: str) -> None:
        console.print(escape(msg), highlight=False)

    if publish_only:
        written = fnc1_bench.republish(root)
    else:
        results = fnc1_bench.run_benchmark(
            fnc1_dir, root / "results" / "fnc1", stance=stance or None, story=story or None,
            n_resamples=resamples, log=log)
        written = fnc1_bench.publish(results, root)
    for path in written:
        log(f"wrote {path}")
