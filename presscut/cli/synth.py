"""CLI: ``presscut synth`` (synthetic pages with labels by construction)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from presscut.cli.app import app, make_console
from presscut.errors import PresscutError


@app.command()
def synth(
    out_dir: Path = typer.Option(..., "-o", "--out", help="Folder for <split>.parquet files."),
    n: int = typer.Option(1000, "--n", help="Total number of pages over all splits."),
    seed: int = typer.Option(0, "--seed", help="Same seed and pools give byte-identical files."),
    pool: list[Path] = typer.Option(
        [], "--pool", metavar="FILE",
        help="Extra clean-article JSONL file (docs/pools.md); repeatable."
    ),
    validation: float = typer.Option(0.1, help="Share of pages in the validation split."),
    test: float = typer.Option(0.1, help="Share of pages in the test split."),
    gold: bool = typer.Option(
        True, "--gold/--no-gold", help="Also draw on train/validation gold pages (never test)."
    ),
    real: bool = typer.Option(
        True, "--real/--no-real",
        help="Draw on the real train pages (never validation or test; the default pool).",
    ),
    builtin: bool = typer.Option(
        None, "--builtin/--no-builtin", show_default=False,
        help="Add the built-in invented pool (default: only when there is no real train split).",
    ),
    batch_size: int = typer.Option(1000, help="Pages per Parquet record batch."),
    root: Path = typer.Option(None, help="Project root (default: the checkout)."),
) -> None:
    """Generate noisy synthetic pages with labels by construction."""
    from presscut.builder.pools import default_pools
    from presscut.builder.synth_write import write_synthetic

    if n < 1 or not (0 <= validation < 1 and 0 <= test < 1 and validation + test < 1):
        raise PresscutError(
            f"--n must be >= 1 and --validation + --test < 1 (got n={n}, {validation}, {test})"
        )
    n_val, n_test = round(n * validation), round(n * test)
    sizes = {"train": n - n_val - n_test, "validation": n_val, "test": n_test}
    pools = default_pools(root, extra=pool, use_gold=gold, use_real=real, builtin=builtin)
    report = write_synthetic(
        out_dir, sizes, seed=seed, pools=pools, batch_size=batch_size, progress=True
    )
    table = Table("split", "pages", "articles in pool", "stories", "file")
    for split, r in report["splits"].items():
        table.add_row(split, str(r["pages"]), str(r["articles"]), str(r["stories"]), r["file"])
    console = make_console()
    console.print(table)
    console.print(f"pools: {', '.join(report['pool_sources'])}", highlight=False)
