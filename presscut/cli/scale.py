"""CLI: ``presscut segment`` and ``presscut dedup`` over a whole corpus (streaming, or on Ray)."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from presscut.cli.app import app
from presscut.errors import PresscutError

CORPUS_HELP = ("A folder of .txt pages, a .jsonl file, or Parquet (a file or a folder); "
               "see presscut.scale.corpus for the fields read.")
RAY_HELP = "Run on Ray Data: 'local' starts a local cluster, 'auto' joins the running one, HOST:PORT a remote one."


def _need_scale() -> None:
    try:
        import duckdb  # noqa: F401
        import rensa  # noqa: F401
    except ImportError as err:
        raise PresscutError(f'this command needs the scale extra ({err.name} is missing): '
                            'pip install "presscut[scale]"') from None


@contextmanager
def _progress(source: Path, what: str):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from presscut.scale.corpus import count_rows

    total = count_rows(source)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(what, total=total)
        yield lambda k: bar.advance(task, k)


def _report_bad(console: Console, out: Path, report, errors: Path | None) -> None:
    if not report.bad_rows:
        return
    errors = errors or out.with_name(out.name + ".errors.jsonl")
    tmp = errors.with_name(f".{errors.name}.part")
    with open(tmp, "w", encoding="utf-8") as fh:
        for b in report.bad:
            fh.write(json.dumps(b.as_dict(), ensure_ascii=False) + "\n")
    os.replace(tmp, errors)
    shown = "; ".join(str(b) for b in report.bad[:3])
    more = f" (first {len(report.bad)} listed)" if len(report.bad) < report.bad_rows else ""
    console.print(f"[yellow]{report.bad_rows} bad row(s) not processed[/]: {escape(shown)}"
                  f"{' ...' if report.bad_rows > 3 else ''}; all in {escape(str(errors))}{more}",
                  highlight=False)


def _summary(title: str, rows: dict[str, str]) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column(justify="left")
    table.add_column(justify="right")
    for k, v in rows.items():
        table.add_row(k, v)
    return table


def _ray_args(ray: str | None, cpus: int | None = None) -> dict | None:
    if ray is None:
        if cpus is not None:
            raise PresscutError("--ray-cpus needs --ray local")
        return None
    if cpus is not None and (ray != "local" or cpus < 1):
        raise PresscutError("--ray-cpus sizes a local cluster: use it with --ray local, "
                            "and give it at least 1")
    return {"address": None if ray == "local" else ray, "num_cpus": cpus}


@app.command()
def segment(
    corpus: Path = typer.Argument(..., help=CORPUS_HELP),
    out: Path = typer.Option(..., "-o", "--out", help="Output Parquet file (one row per page)."),
    model: str = typer.Option(None, "--model", "-m",
                              help="Baseline name or saved model folder (default: the project's default segmenter)."),
    batch_size: int = typer.Option(500, help="Pages per record batch."),
    workers: int = typer.Option(1, help="Worker processes on this machine."),
    ray: str = typer.Option(None, "--ray-address", "--ray", help=RAY_HELP),
    ray_cpus: int = typer.Option(None, "--ray-cpus",
                                 help="CPUs of the local Ray cluster (default: all)."),
    errors: Path = typer.Option(None, help="Where bad rows are listed (default: OUT.errors.jsonl)."),
) -> None:
    """Segment every page of a corpus: line roles, article spans, titles and cleaned bodies."""
    from presscut.scale import segment as seg

    if batch_size < 1 or workers < 1:
        raise PresscutError("--batch-size and --workers must be >= 1")
    console = Console(stderr=True)
    with _progress(corpus, "segment") as advance:
        if _ray_args(ray, ray_cpus) is not None:
            from presscut.scale import ray_jobs

            report = ray_jobs.segment_corpus(corpus, out, model=model, batch_size=batch_size,
                                             progress=advance, **_ray_args(ray, ray_cpus))
        else:
            report = seg.segment_corpus(corpus, out, model=model, batch_size=batch_size,
                                        workers=workers, progress=advance)
    console.print(_summary("segment", {
        "pages": f"{report.pages:,}", "articles": f"{report.articles:,}",
        "bad rows": f"{report.bad_rows:,}", "segmenter": report.model,
        "seconds": f"{report.seconds:.1f}",
        "pages/s": f"{report.pages / report.seconds:,.0f}" if report.seconds else "-"}))
    _report_bad(console, out, report, errors)
    console.print(f"wrote {escape(str(out))}", highlight=False)


@app.command()
def dedup(
    corpus: Path = typer.Argument(..., help=CORPUS_HELP + " A `presscut segment` output gives its articles."),
    out: Path = typer.Option(..., "-o", "--out", help="Output Parquet file: article_id, dup_cluster."),
    unique: Path = typer.Option(None, "--unique", help="Also write the corpus with one article per cluster."),
    threshold: float = typer.Option(0.8, help="Estimated Jaccard a pair needs to be a duplicate."),
    verify: bool = typer.Option(True, "--verify/--no-verify",
                                help="Check each LSH candidate's estimated Jaccard against the "
                                     "threshold (--no-verify: every band collision is a "
                                     "duplicate, as datatrove and text-dedup do)."),
    band_recall: float = typer.Option(0.9, help="With --verify: the chance that LSH proposes a "
                                      "pair at the threshold (sets the banding; higher finds more "
                                      "near-threshold pairs and checks more candidates)."),
    num_perm: int = typer.Option(128, help="MinHash permutations."),
    shingle_k: int = typer.Option(5, "--shingle", help="Words per shingle."),
    batch_size: int = typer.Option(2000, help="Articles per record batch."),
    workers: int = typer.Option(1, help="Worker processes for the signature stage."),
    memory_limit: str = typer.Option("500MB", help="DuckDB memory limit (it spills past it)."),
    workdir: Path = typer.Option(None, help="Folder for temporary files (default: system temp)."),
    ray: str = typer.Option(None, "--ray-address", "--ray", help=RAY_HELP),
    ray_cpus: int = typer.Option(None, "--ray-cpus",
                                 help="CPUs of the local Ray cluster (default: all)."),
    errors: Path = typer.Option(None, help="Where bad rows are listed (default: OUT.errors.jsonl)."),
) -> None:
    """Cluster near-duplicate articles (MinHash LSH, verified pairs, connected components)."""
    from presscut.scale.stages import DedupParams

    _need_scale()
    if batch_size < 1 or workers < 1:
        raise PresscutError("--batch-size and --workers must be >= 1")
    params = DedupParams(threshold=threshold, num_perm=num_perm, shingle_k=shingle_k,
                         verify=verify, band_recall=band_recall)
    console = Console(stderr=True)
    with _progress(corpus, "dedup: signatures") as advance:
        if _ray_args(ray, ray_cpus) is not None:
            from presscut.scale import ray_jobs

            if unique is not None:
                raise PresscutError("--unique is not available with --ray-address yet")
            report = ray_jobs.dedup_corpus(corpus, out, params, batch_size=batch_size,
                                           workdir=workdir, progress=advance, **_ray_args(ray, ray_cpus))
        else:
            from presscut.scale.dedup import dedup_corpus

            report = dedup_corpus(corpus, out, params, keep_unique=unique, batch_size=batch_size,
                                  workers=workers, memory_limit=memory_limit, workdir=workdir,
                                  progress=advance)
    rows = {"articles": report.articles, "without words (singletons)": report.no_words,
            "candidate pairs": report.candidates, "verified pairs": report.verified,
            "duplicate clusters": report.clusters, "articles in them": report.in_clusters,
            "bad rows": report.bad_rows}
    console.print(_summary("dedup", {k: f"{v:,}" for k, v in rows.items()}
                           | {f"seconds ({k})": f"{v:.1f}" for k, v in report.seconds.items()}))
    _report_bad(console, out, report, errors)
    console.print(f"wrote {escape(str(out))}"
                  + (f" and {escape(str(unique))} ({report.kept:,} articles)" if unique else ""),
                  highlight=False)
