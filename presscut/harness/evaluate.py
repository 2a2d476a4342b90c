"""Score a predictions file (or in-memory records) against the built dataset.

The result records what was scored and how — task version, data fingerprint, package
version, bootstrap settings — so a score can be re-checked later and a changed dataset
or task shows up as a different fingerprint or version.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path

from presscut.errors import PresscutError
from presscut.harness import gold as gold_data
from presscut.harness.bootstrap import LEVEL, N_RESAMPLES, SEED
from presscut.harness.scoring import score_chunk
from presscut.harness.validate import UNUSABLE, PredictionSet, read_predictions
from presscut.tasks import ALL, Task, get_task


def package_version() -> str:
    try:
        from importlib.metadata import version

        return version("presscut")
    except Exception:  # noqa: BLE001 - an uninstalled checkout still scores
        import presscut

        return getattr(presscut, "__version__", "unknown")


def evaluate(
    task: str,
    predictions: Path,
    split: str | None = None,
    data: str = "gold",
    root: Path | None = None,
    *,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    per_item: bool = True,
    progress: bool = False,
    workers: int = 1,
    per_item_path: Path | None = None,
) -> dict:
    """Validate and score a JSONL predictions file.

    ``split`` defaults to the task's own (``default_split`` on gold data, "test" on
    synthetic data). Raises PredictionError (exit code 2) on a
    malformed file, PresscutError when the data is missing. ``workers`` > 1 scores
    page tasks in a process pool (same result, in the same order). ``per_item_path``
    streams the per-item breakdown to a JSONL file instead of the result (written under a
    temporary name, renamed when scoring succeeded), so memory does not grow with it.
    """
    t = get_task(task)
    return _score(t, read_predictions(t, Path(predictions)), split, data, root,
                  n_resamples=n_resamples, seed=seed, per_item=per_item, progress=progress,
                  workers=workers, per_item_path=per_item_path)


def score_predictions(
    task: str,
    records: Iterable[dict],
    split: str | None = None,
    data: str = "gold",
    root: Path | None = None,
    **options,
) -> dict:
    """Like :func:`evaluate` for prediction records already in memory (e.g. a baseline's)."""
    t = get_task(task)
    return _score(t, read_predictions(t, records), split, data, root, **options)


def _progress(enabled: bool):
    if not enabled:
        return nullcontext(None)
    from rich.progress import Progress

    return Progress(transient=True)


def _chunks(task_name: str, pairs, size: int = 500):
    chunk = []
    for pair in pairs:
        chunk.append(pair)
        if len(chunk) == size:
            yield task_name, chunk
            chunk = []
    if chunk:
        yield task_name, chunk


def _score_in_pool(task_name: str, pairs, scorer, workers: int) -> None:
    import multiprocessing

    # the pool pulls chunks lazily, so gold still streams; imap keeps the order
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for part in pool.imap(score_chunk, _chunks(task_name, pairs), chunksize=1):
            scorer.merge(part)


def _score(
    t: Task,
    pset: PredictionSet,
    split: str | None,
    data: str,
    root: Path | None,
    *,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
    per_item: bool = True,
    progress: bool = False,
    workers: int = 1,
    per_item_path: Path | None = None,
) -> dict:
    if per_item_path is None:
        return _score_to(t, pset, split, data, root, None, n_resamples=n_resamples, seed=seed,
                         level=level, per_item=per_item, progress=progress, workers=workers)
    path = Path(per_item_path)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with _BreakdownFile(tmp, path) as sink:
            result = _score_to(t, pset, split, data, root, sink, n_resamples=n_resamples,
                               seed=seed, level=level, per_item=False, progress=progress,
                               workers=workers)
        sink.publish()
    finally:
        tmp.unlink(missing_ok=True)
    result["per_item_file"] = str(path)
    return result


class _BreakdownFile:
    """The breakdown's temporary file. Only its own I/O errors are reported as "cannot
    write": an OSError from reading gold or predictions keeps its own message."""

    def __init__(self, tmp: Path, path: Path) -> None:
        self.tmp, self.path = tmp, path

    def _fail(self, err: OSError):
        return PresscutError(f"{self.path}: cannot write the per-item breakdown "
                             f"({err.strerror})")

    def __enter__(self) -> _BreakdownFile:
        try:
            self._fh = self.tmp.open("w", encoding="utf-8")
        except OSError as err:
            raise self._fail(err) from None
        return self

    def write(self, text: str) -> None:
        try:
            self._fh.write(text)
        except OSError as err:
            raise self._fail(err) from None

    def __exit__(self, *exc) -> None:
        try:
            self._fh.close()
        except OSError as err:
            if exc[0] is None:
                raise self._fail(err) from None

    def publish(self) -> None:
        try:
            os.replace(self.tmp, self.path)
        except OSError as err:
            raise self._fail(err) from None


def _score_to(t: Task, pset: PredictionSet, split, data, root, sink, *, n_resamples, seed,
              level, per_item, progress, workers) -> dict:
    split = gold_data.resolve_split(t, split, data)
    files = gold_data.gold_files(t, split, data, root)
    split_label = f"the {data} {split} split" if split != ALL else f"all {data} splits"
    scorer = t.make_scorer()
    scorer.collect(keep=per_item, sink=sink)
    groups: list[tuple[str | None, bool]] = []  # (source group, held out) per scored item
    # one tuple per distinct value, shared: a list of pointers, not a tuple per item
    shared: dict[tuple[str | None, bool], tuple[str | None, bool]] = {}
    total = gold_data.count_rows(files) if progress else 0
    with _progress(progress) as bar:
        job = bar.add_task(f"scoring {t.name}", total=total) if bar else None

        def pairs():
            for item in t.iter_gold(files, data):
                pred = pset.take(item)
                if bar:
                    bar.advance(job)
                # keep checking after the first problem, but stop spending time scoring
                if pred is not UNUSABLE and pset.ok:
                    # in scoring order (the pool keeps it): the scorer's rows line up
                    key = (item.get("group"), bool(item.get("held_out")))
                    groups.append(shared.setdefault(key, key))
                    yield item, pred

        if workers > 1 and t.parallel:
            _score_in_pool(t.name, pairs(), scorer, workers)
        else:
            for item, pred in pairs():
                scorer.add(item, pred)
    pset.finish(split_label)
    if scorer.n_items == 0:
        raise PresscutError(f"{', '.join(map(str, files))}: {split_label} has no {t.item}s to score")

    scores = scorer.scores()
    if sink is not None:
        scorer.write_breakdown(sink)
    return {
        "task": t.name,
        "task_version": t.version,
        "split": split,
        "data": data,
        "data_fingerprint": gold_data.fingerprint(files),
        "package_version": package_version(),
        "n_items": scorer.n_items,
        "main_score": t.main_score,
        "scores": {k: scores.get(k) for k in t.metrics},
        "ci": scorer.intervals(n_resamples, seed, level),
        "direction": {k: t.direction(k) for k in t.metrics},
        "bootstrap": {"n_resamples": n_resamples, "seed": seed, "level": level,
                      "unit": t.item},
        "groups": _group_results(scorer, groups, t, n_resamples, seed, level),
        "per_item": scorer.breakdown() if per_item else [],
    }


def _group_results(scorer, groups: list[tuple[str | None, bool]], t: Task, n_resamples: int,
                   seed: int, level: float) -> dict:
    """Scores and CIs of each group of items (the sources of a pooled set), by name.

    ``held_out`` marks a group whose items are all held out of training (an out-of-source
    test). Items without a group (gold and synthetic pages) give no groups at all.
    """
    members: dict[str, list[int]] = {}
    for i, (g, _) in enumerate(groups):
        if g is not None:
            members.setdefault(g, []).append(i)
    out = {}
    for g in sorted(members):
        idx = members[g]
        sub = scorer.subset(idx)
        scores = sub.scores()
        out[g] = {"n_items": len(idx), "held_out": all(groups[i][1] for i in idx),
                  "scores": {k: scores.get(k) for k in t.metrics},
                  "ci": sub.intervals(n_resamples, seed, level)}
    return out
