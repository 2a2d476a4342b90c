"""CLI commands: ``presscut baselines run`` and ``presscut predict``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

from presscut.cli.app import app, make_console

console = make_console()
baselines_app = typer.Typer(help="Train, run and score the baselines.", no_args_is_help=True)
app.add_typer(baselines_app, name="baselines")


@baselines_app.command("run")
def run_baselines(
    task: list[str] = typer.Option(None, "--task", "-t", metavar="TASK",
                                   help="Only these tasks (repeatable)."),
    root: Path = typer.Option(None, help="Project checkout (default: this one)."),
    submit: bool = typer.Option(True, help="Record every result on the leaderboard."),
    neural: bool = typer.Option(
        False, help="Add the MiniLM peers (needs the presscut[neural] extra and its model)."
    ),
    extra: list[str] = typer.Option(
        None, "--extra", help="Add the optional baselines that need this presscut extra "
        "(repeatable), e.g. --extra peers."
    ),
) -> None:
    """Train where needed, predict on the test split, score through the harness, write results/."""
    from rich.progress import Progress

    from presscut.publish import publish
    from presscut.runner import plan, run, write_results
    from presscut.tasks import data_kinds

    extras = (*(extra or ()), *(("neural",) if neural else ()))
    total = len(plan(task, extras))  # unknown tasks are refused here
    log = make_console(stderr=True)
    # off a terminal a progress bar shows nothing until the end: log one line a step
    with Progress(console=log, transient=True, disable=not log.is_terminal) as bar:
        job = bar.add_task("baselines", total=total)
        done = 0

        def step(t: str, name: str) -> None:
            nonlocal done
            done += 1
            bar.update(job, description=f"{t}: {name}")
            bar.advance(job)
            if not log.is_terminal:
                log.print(escape(f"[{done}/{total}] {t}: {name}"), highlight=False)

        results = run(task or None, root, progress=step, extras=extras)
    out = write_results(results, root, task or None)
    publish(results, root, submit=submit)
    for data in data_kinds():
        console.print(f"\n[bold]{data} test[/]\n")
        console.print((out / f"{data}.md").read_text(encoding="utf-8"), markup=False)
    console.print(f"results: {escape(str(out))}/results.json", highlight=False)


@app.command()
def predict(
    task: str = typer.Argument(..., help="A task that reads pages (segmentation, line_dedup, "
                               "source)."),
    pages: list[Path] = typer.Argument(..., help="Page files, or folders of them: text (.txt, "
                                       "UTF-8) or HTML (.html, .htm: converted to text as the "
                                       "real pages were), gzipped or not."),
    model: str = typer.Option(None, "--model", "-m", help="Baseline name or a saved model "
                              "(default: the task's default baseline)."),
    out: Path = typer.Option(None, "-o", help="Write JSONL here (default: standard output)."),
    text: bool = typer.Option(True, "--text/--no-text", help="Give each record the page's "
                              "lines (as presscut read them: an HTML page's rendered text), "
                              "which its line numbers index."),
    root: Path = typer.Option(None, help="Project checkout (training data for learned models)."),
) -> None:
    """Pre-label raw pages with a baseline (this is how silver labels are made)."""
    import shutil
    import sys
    import tempfile

    from rich.progress import Progress

    from presscut.annotations import AnnotationError, page_files, read_page
    from presscut.paths import writing_whole
    from presscut.runner import page_predictor
    from presscut.schema import split_lines

    files = page_files(pages)
    predict_chunk = page_predictor(task, model, root)
    log = make_console(stderr=True)
    # Pages go through the model a chunk at a time and the records stream to a file, so a
    # folder of any size is labelled in bounded memory; the output appears whole or not at
    # all. A page with no text (a script-only or frameset HTML page) is the empty page it
    # is, not a reason to fail the others; unreadable pages are all read past and named in
    # one refusal. PREDICT_CHUNK is a multiple of seg-seq's 128-page batches, so chunked
    # predictions are the same bits as one call on the whole folder.
    unreadable: list[str] = []
    empty: list[str] = []
    sink = writing_whole(out) if out else tempfile.TemporaryFile("w+", encoding="utf-8")
    with sink as fh, Progress(console=log, transient=True,
                              disable=len(files) < 50 or not log.is_terminal) as bar:
        job = bar.add_task("predicting pages", total=len(files))
        for start in range(0, len(files), PREDICT_CHUNK):
            chunk = []
            for doc_id, path in files[start:start + PREDICT_CHUNK]:
                try:
                    chunk.append({"doc_id": doc_id,
                                  "lines": split_lines(read_page(path, allow_empty=True))})
                except AnnotationError as err:
                    unreadable.append(str(err))
            empty += [r["doc_id"] for r in chunk if not any(x.strip() for x in r["lines"])]
            if not unreadable:  # after a refusal, pages are only read, to name them all
                preds = predict_chunk(chunk)
                if text:  # the evaluator ignores fields it does not read
                    preds = [{**p, "lines": r["lines"]} for p, r in zip(preds, chunk)]
                fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in preds)
            bar.advance(job, len(chunk))
        if unreadable:
            more = (f" (and {len(unreadable) - 1} more unreadable page(s): "
                    f"{'; '.join(unreadable[1:4])}{' ...' if len(unreadable) > 4 else ''})"
                    if len(unreadable) > 1 else "")
            raise AnnotationError(f"{unreadable[0]}{more}; nothing was predicted")
        if not out:
            fh.seek(0)
            shutil.copyfileobj(fh, sys.stdout)
    if empty:
        log.print(f"{len(empty)} page(s) with no text, predicted as empty pages: "
                  f"{', '.join(empty[:5])}{' ...' if len(empty) > 5 else ''}",
                  markup=False, highlight=False)
    if out:
        console.print(f"wrote {len(files)} predictions to {escape(str(out))}", highlight=False)


PREDICT_CHUNK = 1024


@baselines_app.command("refit")
def refit(
    names: list[str] = typer.Argument(None, metavar="NAME", help="Baselines with a committed "
                                      "model (default: all of them)."),
    check: bool = typer.Option(False, help="Fit into a temporary folder and fail unless it is "
                               "byte-identical to the committed model."),
    root: Path = typer.Option(None, help="Project checkout (default: this one)."),
) -> None:
    """Refit the committed models (``models/``) from the splits they name."""
    import filecmp
    import tempfile

    from presscut.baselines.registry import get, refit, saved_path, specs, task_of
    from presscut.errors import PresscutError

    chosen = ([get(task_of(n), n) for n in names] if names
              else [s for s in specs() if s.saved])
    for spec in chosen:
        if not spec.saved:
            raise PresscutError(f"baseline {spec.name!r} has no committed model to refit")
        target = saved_path(spec, root)
        with console.status(f"fitting {spec.name}"):
            if not check:
                refit(spec, root)
                console.print(f"wrote {escape(str(target))}", highlight=False)
                continue
            with tempfile.TemporaryDirectory() as tmp:
                fresh = refit(spec, root, Path(tmp) / spec.name)
                names_ = sorted(p.name for p in fresh.iterdir())
                same, diff, errors = filecmp.cmpfiles(fresh, target, names_, shallow=False)
        if check:
            if diff or errors or sorted(p.name for p in target.iterdir()) != names_:
                raise PresscutError(f"{target}: a refit differs from the committed model "
                                    f"({', '.join(diff + errors) or 'other files'}); run "
                                    f"`presscut baselines refit {spec.name}` and commit it")
            console.print(f"{escape(str(target))}: a refit is byte-identical", highlight=False)
