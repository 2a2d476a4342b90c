"""Baselines by name, one dict per task, and the segmenter the curation tools pre-label with.

``REGISTRY[task][name]`` is a factory (keyword parameters → unfitted baseline). This
module holds segmentation and line dedup; other modules add theirs with
:func:`register`, or are named in ``PROVIDERS``: on first look-up each is imported
and its own ``REGISTRY`` dict (same shape) merged in, so ``presscut baselines run``
sees one table without importing every model up front.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from presscut.errors import PresscutError

Factory = Callable[..., Any]

REGISTRY: dict[str, dict[str, Factory]] = {}
# Modules whose REGISTRY dict joins this one (collection and secondary tasks).
PROVIDERS: list[str] = ["presscut.baselines.registry_collection"]
_providers_loaded: set[str] = set()


def register(task: str, name: str, factory: Factory, *, replace: bool = False) -> None:
    """Add a baseline factory (a class or any callable taking keyword parameters)."""
    entries = REGISTRY.setdefault(task, {})
    if name in entries and not replace and entries[name] is not factory:
        raise PresscutError(f"baseline {name!r} is already registered for task {task!r}")
    entries[name] = factory


def _lazy(module: str, attr: str) -> Factory:
    def factory(**params):
        return getattr(importlib.import_module(module), attr)(**params)

    factory.__qualname__ = f"{module}:{attr}"
    return factory


_BASE = "presscut.baselines."
for _task, _name, _module, _attr in (
    ("segmentation", "seg-keep-all", "segment_trivial", "KeepEverything"),
    ("segmentation", "seg-first-title", "segment_trivial", "FirstLineTitle"),
    ("segmentation", "seg-rules", "segment_rules", "RuleSegmenter"),
    ("segmentation", "seg-learned", "segment_learned", "LearnedSegmenter"),
    ("segmentation", "seg-justext", "segment_justext", "JusTextSegmenter"),
    # peers through their own libraries (the `presscut[peers]` extra)
    ("segmentation", "peer-c4", "segment_c4", "C4LineFilter"),
    ("segmentation", "peer-gopher", "segment_gopher", "GopherLineFilter"),
    ("segmentation", "peer-fineweb", "segment_fineweb", "FineWebLineFilter"),
    ("segmentation", "peer-trafilatura-text", "segment_trafilatura", "TrafilaturaText"),
    ("line_dedup", "dedup-exact", "line_dedup", "ExactLineDedup"),
    ("line_dedup", "dedup-near", "line_dedup", "NearLineDedup"),
):
    register(_task, _name, _lazy(_BASE + _module, _attr))
_OWN_TASKS = frozenset(REGISTRY)

# Learned baselines need training pages before they can predict.
NEEDS_TRAINING: set[str] = {"seg-learned"}


def _load_providers() -> None:
    for module in PROVIDERS:
        if module in _providers_loaded:
            continue
        provided = getattr(importlib.import_module(module), "REGISTRY", {})
        for task, entries in provided.items():
            for name, factory in entries.items():
                register(task, name, factory)
        _providers_loaded.add(module)


def tasks() -> list[str]:
    _load_providers()
    return sorted(REGISTRY)


def names(task: str | None = None) -> list[str]:
    if task not in _OWN_TASKS:
        _load_providers()
    if task is None:
        return sorted({n for entries in REGISTRY.values() for n in entries})
    return sorted(REGISTRY.get(task, {}))


def task_of(name: str) -> str:
    """The task a baseline name belongs to (names shared by two tasks need ``task=``)."""
    owners = [t for t in _OWN_TASKS if name in REGISTRY[t]]
    if not owners:
        _load_providers()
        owners = [t for t, entries in REGISTRY.items() if name in entries]
    if not owners:
        raise PresscutError(f"unknown baseline {name!r}; known: {', '.join(names())}")
    if len(owners) > 1:
        raise PresscutError(f"baseline {name!r} exists for tasks {', '.join(sorted(owners))}; "
                            "say which task")
    return owners[0]


def make(task: str, name: str, **params) -> Any:
    """A fresh, unfitted baseline for ``task``; unknown names list the choices."""
    if task not in _OWN_TASKS:
        _load_providers()
    if task not in REGISTRY:
        raise PresscutError(f"no baselines for task {task!r}; tasks: {', '.join(tasks())}")
    if name not in REGISTRY[task]:
        raise PresscutError(f"unknown baseline {name!r} for task {task!r}; "
                            f"choose one of {', '.join(sorted(REGISTRY[task]))}")
    return REGISTRY[task][name](**params)


def create(name: str, task: str | None = None, **params) -> Any:
    """A fresh, unfitted baseline by name (the task is looked up when not given)."""
    return make(task or task_of(name), name, **params)


# ---------------------------------------------------------------- training data
def training_pages(root: Path | None = None, *, splits: Iterable[str] = ("train",),
                   synthetic: bool = True) -> list[dict]:
    """Labelled pages for learned segmenters: gold/silver + synthetic pages of ``splits``.

    Read from the built Parquet under ``splits/`` (ClassLabel role ids become names).
    Missing files are skipped: before the first build there is nothing to train on.
    """
    import pyarrow.parquet as pq

    from presscut import paths

    base = paths.splits_dir(root)
    splits = list(splits)
    files = [base / "segmentation" / f"{s}.parquet" for s in splits]
    if synthetic:  # the same splits only: synthetic test pages are for scoring
        files += [base / "synthetic" / f"{s}.parquet" for s in splits]
    pages: list[dict] = []
    for f in files:
        if not f.is_file():
            continue
        table = pq.read_table(f, columns=["doc_id", "lines", "roles", "articles"])
        for row in table.to_pylist():
            pages.append({"doc_id": row["doc_id"], "lines": row["lines"], "roles": row["roles"],
                          "articles": [[a["start_line"], a["end_line"]]
                                       for a in row["articles"]]})
    return pages


def body_shingle_f1(gold: list[dict], predicted: list[dict], n: int = 4) -> float:
    """Macro body-text F1 over word n-gram shingles (the harness's metric), for ranking."""
    from presscut.harness.metrics import body_prf, body_text

    scores = [
        body_prf(body_text(g["lines"], g["roles"]), body_text(g["lines"], p["roles"]), n)[2]
        for g, p in zip(gold, predicted)
    ]
    return sum(scores) / len(scores) if scores else 0.0


def best_segmenter(root: Path | None = None, *, candidates: Iterable[str] = ("seg-rules",
                   "seg-learned"), validation: list[dict] | None = None,
                   train: list[dict] | None = None, max_train_pages: int = 1000) -> Any:
    """The best-scoring ready segmenter, for pre-labelling new pages (silver labels).

    Learned candidates are fitted on ``train`` (default: :func:`training_pages`; at
    most ``max_train_pages`` of them, evenly spread); candidates are ranked by body-text
    shingle F1 on ``validation`` (default: the gold ``validation`` split), a tie going
    to the earlier candidate. With no training pages the learned ones drop out; with
    no validation pages the first ready candidate wins without fitting the others —
    the rule segmenter by default, which needs no data.
    """
    from presscut.baselines.segment_common import as_pages

    train = as_pages(train, need_labels=True) if train is not None else training_pages(root)
    if len(train) > max_train_pages:
        # An even spread keeps every source file represented; pre-labelling a page
        # should not wait for a fit on every synthetic page.
        step = len(train) / max_train_pages
        train = [train[int(k * step)] for k in range(max_train_pages)]
    if validation is None:
        validation = training_pages(root, splits=("validation",), synthetic=False)
    validation = as_pages(validation, need_labels=True)
    ready = []
    for name in candidates:
        if ready and not validation:
            break  # nothing to rank them on: the first ready candidate wins
        model = create(name)
        if name in NEEDS_TRAINING:
            if not train:
                continue
            model.fit(train)
        else:
            model.fit([])
        ready.append(model)
    if not ready:
        raise PresscutError("best_segmenter: no candidate is ready (learned ones need "
                            "training pages under splits/)")
    if not validation:
        return ready[0]
    scored = [(body_shingle_f1(validation, m.predict(validation)), -k, m)
              for k, m in enumerate(ready)]
    return max(scored, key=lambda t: (t[0], t[1]))[2]
