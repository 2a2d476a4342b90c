"""CLI command ``presscut eval``: a thin shell over :func:`presscut.harness.evaluate.evaluate`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from presscut.cli.app import app, make_console


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.4f}"


def render_table(result: dict) -> Table:
    from presscut.tasks import get_task

    main = result["main_score"]
    counts = get_task(result["task"]).counts
    table = Table(
        title=(f"{result['task']} v{result['task_version']} · {result['data']} "
               f"{result['split']} · {result['n_items']} {result['bootstrap']['unit']}s"),
        caption=(f"{int(result['bootstrap']['level'] * 100)}% bootstrap CI over "
                 f"{result['bootstrap']['unit']}s ({result['bootstrap']['n_resamples']} "
                 f"resamples, seed {result['bootstrap']['seed']}) · data "
                 f"{result['data_fingerprint'][:19]}…"),
    )
    table.add_column("metric")
    table.add_column("score", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("better")
    for name, value in result["scores"].items():
        lo, hi = result["ci"].get(name, [None, None])
        ci = "—" if lo is None else f"[{lo:.4f}, {hi:.4f}]"
        label = f"[bold]{name}[/] (main)" if name == main else name
        is_count = name in counts  # pair counts per difficulty level, not scores
        shown = str(int(value)) if is_count and value is not None else _fmt(value)
        table.add_row(label, shown, ci, "" if is_count else result["direction"][name])
    return table


@app.command("eval")
def eval_command(
    task: str = typer.Argument(..., help="segmentation, line_dedup, article_dedup, "
                               "story_clustering, stance or source."),
    predictions: Path = typer.Argument(..., help="Predictions file (JSONL)."),
    split: str = typer.Option(None, "--split", help="Split to score (default: the task's; "
                              "'all' for article_dedup and story_clustering)."),
    data: str = typer.Option("gold", "--data", help="gold or synthetic."),
    fmt: str = typer.Option(None, "--format",
                            help="table or json (default: table on a terminal, else json)."),
    per_item: bool = typer.Option(False, "--per-item", help="Include the per-item breakdown "
                                  "in the JSON output."),
    per_item_out: Path = typer.Option(None, "--per-item-out", metavar="FILE",
                                      help="Stream the per-item breakdown to this JSONL file "
                                      "(memory does not grow with the number of items)."),
    resamples: int = typer.Option(1000, "--resamples", help="Bootstrap resamples."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    workers: int = typer.Option(1, "--workers", help="Processes for the page tasks."),
    root: Path = typer.Option(None, "--root", help="Project checkout (default: this one)."),
) -> None:
    """Validate and score a predictions file; exit 2 if the file does not fit the task."""
    from presscut.errors import PresscutError
    from presscut.harness.evaluate import evaluate

    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    if fmt not in ("table", "json"):
        raise PresscutError(f"unknown format {fmt!r}; use table or json")
    result = evaluate(task, predictions, split=split, data=data, root=root,
                      n_resamples=resamples, seed=seed, per_item=per_item,
                      progress=sys.stderr.isatty(), workers=workers, per_item_path=per_item_out)
    if fmt == "json":
        if not per_item or per_item_out is not None:
            result.pop("per_item", None)
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        make_console().print(render_table(result))
