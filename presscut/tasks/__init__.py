"""The benchmark's tasks: one module per task, found by looking, never by a list of names.

A task is declared data (in the manner of MTEB's task metadata: name, version, splits,
main score) on a :class:`Task` subclass that owns all its behaviour: how a prediction
record is parsed and checked against gold, how gold items are read, how they are
scored, how gold turns back into prediction records, and what a baseline of the task
reads. Generic code (the harness, the baseline runner, the leaderboard, the CLI) loops
over :func:`all_tasks` or asks :func:`get_task`; an unknown name is an error there.

Adding a task is adding one module to this package (or a plugin module, see
:mod:`presscut.plugins`) that calls :func:`register` with an instance. Change a metric
or a prediction format and bump the task's ``version``: every score records it, so old
scores show up as stale.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presscut.errors import PresscutError

if TYPE_CHECKING:  # pragma: no cover
    from presscut.baselines.registry import BaselineSpec
    from presscut.harness.scoring import Scorer

HIGHER, LOWER = "higher", "lower"
ALL = "all"  # the splits of a config together
ALL_SPLITS = (ALL, "train", "validation", "test")
# where the items of each kind of data come from, unless a task says otherwise
GOLD, SYNTHETIC = "gold", "synthetic"
# pages of published labelled corpora (the main segmentation test where a task has it)
REAL = "real"


class BadRecord(Exception):
    """One prediction record breaks the task's expected format (the message says how)."""


@dataclass(frozen=True)
class Run:
    """One (data, split) a baseline of the task is scored on by ``presscut baselines run``."""

    data: str
    split: str
    # the training data learned baselines fit on for this run ("" = the task's usual);
    # runs with the same ``fit`` share one fitted model
    fit: str = ""


@dataclass(frozen=True, kw_only=True, eq=False)
class Task:
    """A task's metadata; subclasses implement the behaviour (methods below)."""

    name: str
    version: str
    description: str
    # data kind → the config under ``splits/`` its items come from
    data: dict[str, str]
    default_split: str  # "all" = every split of the config together
    id_field: str  # the prediction field naming the item
    item: str  # what one item is (for messages and the per-item breakdown)
    fields: dict[str, str]  # prediction field → type, as :meth:`parse` enforces it
    metrics: tuple[str, ...]
    main_score: str
    order: int  # position in tables and listings
    lower_is_better: tuple[str, ...] = ()
    expected_input_format: str = ""
    allowed_splits: tuple[str, ...] = ALL_SPLITS
    example: dict = field(default_factory=dict)
    # metrics that slice another metric (e.g. recall by edit level) or count what a slice
    # holds: reported, but not summary scores for a results table
    breakdown_metrics: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()  # plain counts: no direction that is better, no CI
    parallel: bool = False  # items are costly enough to score in a worker pool
    # what ``presscut baselines run`` scores every baseline of the task on
    runs: tuple[Run, ...] = (Run(GOLD, "test"),)
    # ``presscut predict`` turns raw pages into this task's records
    predicts_pages: bool = False
    # metrics the results tables show for each group (source) of a pooled set, beside the
    # main score; a group whose items cannot have the metric (a role its source does not
    # label) shows none
    group_metrics: tuple[str, ...] = ()

    # ------------------------------------------------------------ metadata helpers
    def direction(self, metric: str) -> str:
        return LOWER if metric in self.lower_is_better else HIGHER

    def config(self, data: str) -> str:
        try:
            return self.data[data]
        except KeyError:
            raise PresscutError(
                f"task {self.name!r} has no {data} data; use one of {', '.join(self.data)}"
            ) from None

    @property
    def synthetic(self) -> bool:
        return SYNTHETIC in self.data

    # ------------------------------------------------------------ predictions
    def parse(self, rec: dict) -> Any:
        """Check one record on its own; return a compact value or raise :class:`BadRecord`."""
        raise NotImplementedError

    def check(self, value: Any, gold: dict) -> str | None:  # noqa: ARG002
        """What is wrong with a parsed prediction given its gold item (None: nothing)."""
        return None

    # ------------------------------------------------------------ gold
    def iter_gold(self, files: list[Path], data: str) -> Iterator[dict]:
        """Gold items ``{"id", ...}`` one at a time, the files read batch by batch."""
        raise NotImplementedError

    def make_scorer(self) -> Scorer:
        raise NotImplementedError

    def gold_record(self, item: dict) -> dict:
        """A gold item as this task's prediction record (a perfect system)."""
        raise NotImplementedError

    # ------------------------------------------------------------ baselines
    def inputs(self, root: Path | None, data: str, split: str) -> list[dict]:
        """What a baseline of this task is given to predict on ``data``/``split``."""
        raise NotImplementedError

    def prepare(self, model: Any, spec: BaselineSpec, root: Path | None,
                fit: str = "") -> tuple[Any, str]:  # noqa: ARG002
        """Fit or tune ``model`` on non-test data (``fit``: a :class:`Run`'s training data);
        return it and a note for the tables."""
        return model.fit([]), ""

    def page_inputs(self, pages: list[dict]) -> list[dict]:
        """Raw pages ``{"doc_id", "lines"}`` as inputs of this task (``presscut predict``)."""
        raise PresscutError(f"task {self.name!r} does not predict from raw pages")


# ---------------------------------------------------------------- registry
_TASKS: dict[str, Task] = {}
_discovered = False


def register(task: Task) -> Task:
    """Add a task (called once, by the task's own module)."""
    old = _TASKS.get(task.name)
    if old is not None and type(old) is not type(task):
        raise PresscutError(f"task {task.name!r} is registered twice "
                            f"({type(old).__module__} and {type(task).__module__})")
    _TASKS[task.name] = task
    return task


def _discover() -> None:
    global _discovered
    if not _discovered:
        _discovered = True  # before importing: task modules import this package
        for info in pkgutil.iter_modules(__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
    from presscut.plugins import load_plugins

    load_plugins()


def all_tasks() -> list[Task]:
    """Every task, in display order."""
    _discover()
    return sorted(_TASKS.values(), key=lambda t: (t.order, t.name))


def task_names() -> list[str]:
    return [t.name for t in all_tasks()]


def get_task(name: str) -> Task:
    _discover()
    try:
        return _TASKS[name]
    except KeyError:
        raise PresscutError(
            f"unknown task {name!r}; tasks are: {', '.join(task_names())}"
        ) from None


def data_kinds() -> list[str]:
    """Every kind of data some task is scored on (real pages first, then gold, synthetic)."""
    kinds: dict[str, None] = {}
    for t in all_tasks():
        kinds.update(dict.fromkeys(t.data))
    return sorted(kinds, key=lambda k: (k != REAL, k != GOLD, k != SYNTHETIC, k))
