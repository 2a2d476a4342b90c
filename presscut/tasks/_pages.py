"""What the page tasks (segmentation, line dedup) share: their gold rows and baseline inputs.

Both read the rows of the ``segmentation`` config (``synthetic`` for synthetic data; ``real``
for the pages of published corpora where a task scores them), one item per page; a
baseline is given ``{"doc_id", "lines"}`` and returns one record per page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presscut.harness.gold import config_files, gold_files, label_name, read_rows
from presscut.schema import ROLES
from presscut.tasks import GOLD, REAL, SYNTHETIC, Run, Task

PAGE_DATA = {GOLD: "segmentation", SYNTHETIC: "synthetic"}
PAGE_RUNS = (Run(GOLD, "test"), Run(SYNTHETIC, "test"))
# pages of published labelled corpora (the ``real`` config): a task that scores them adds
# REAL_DATA to its data and REAL_RUN to its runs; learned baselines fit on real train there
REAL_DATA = {REAL: "real"}
REAL_RUN = Run(REAL, "test", fit=REAL)
# columns only real pages have: what their source labels, and which source they come from
_REAL_COLUMNS = ("labelled_roles", "source", "out_of_source")
# Learned page baselines fit on at most this many pages (an even spread over gold +
# synthetic train); more adds minutes to every run for no measured gain on validation.
MAX_TRAIN_PAGES = 2000
# On real train pages (1,098, ~242 lines each) seg-learned scored 0.845 body F1 on real
# validation fitted on 300 of them and 0.849 on all, with a fit 8x as long (39 s against
# 315 s on this project's shared 2-core machine): real fits use an even spread of 300.
MAX_REAL_TRAIN_PAGES = 300


def spread(items: list, n: int) -> list:
    """At most ``n`` items, evenly spread (every source file stays represented)."""
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(k * step)] for k in range(n)]


def labelled_pages(files: Iterable[Path]) -> list[dict]:
    """Pages ``{"doc_id", "lines", "roles", "articles"}`` (role names, [start, end) spans),
    with ``source_pages`` (synthetic pages) and ``labelled_roles`` (real pages) where the
    file records them."""
    return [
        {"doc_id": row["doc_id"], "lines": row["lines"],
         "roles": [label_name(r, ROLES) for r in row["roles"]],
         "articles": [[a["start_line"], a["end_line"]] for a in row["articles"]],
         # synthetic pages name the pages their text comes from (a learner's folds need it)
         **({"source_pages": row["source_pages"]} if row.get("source_pages") else {}),
         # real pages: the roles their gold tells apart (a learner may leave the rest out)
         **({"labelled_roles": [label_name(r, ROLES) for r in row["labelled_roles"]]}
            if row.get("labelled_roles") is not None else {})}
        for row in read_rows(files, ["doc_id", "lines", "roles", "articles"],
                             optional=("source_pages", "labelled_roles"))
    ]


def training_pages(root: Path | None = None, *, splits: Iterable[str] = ("train",),
                   synthetic: bool = True, config: str | None = None) -> list[dict]:
    """Labelled pages for learned page baselines: gold/silver + synthetic pages of ``splits``,
    or the pages of ``config``'s ``splits`` alone when it is given (e.g. the real pages).

    Missing files are skipped: before the first build there is nothing to train on.
    """
    splits = list(splits)
    if config is not None:
        files = config_files(config, splits, root)
    else:
        files = config_files(PAGE_DATA[GOLD], splits, root)
        if synthetic:  # the same splits only: synthetic test pages are for scoring
            files += config_files(PAGE_DATA[SYNTHETIC], splits, root)
    return labelled_pages(f for f in files if f.is_file())


@dataclass(frozen=True, kw_only=True, eq=False)
class PageTask(Task):
    """A task whose items are pages of the segmentation config."""

    data: dict[str, str] = field(default_factory=lambda: dict(PAGE_DATA))
    id_field: str = "doc_id"
    item: str = "page"
    default_split: str = "test"
    parallel: bool = True
    runs: tuple[Run, ...] = PAGE_RUNS
    predicts_pages: bool = True

    def iter_gold(self, files: list[Path], data: str) -> Iterator[dict]:
        columns = ["doc_id", "lines", "roles", "articles", "dup_groups"]
        for row in read_rows(files, columns, optional=_REAL_COLUMNS):
            labelled = row.get("labelled_roles")
            source = row.get("source")
            yield {
                "id": row["doc_id"],
                "lines": row["lines"],
                "roles": [label_name(r, ROLES) for r in row["roles"]],
                "articles": [(a["start_line"], a["end_line"]) for a in row["articles"]],
                "dup_groups": [g["lines"] for g in row["dup_groups"]],
                # pages of a published corpus: the roles its gold tells apart (None: all),
                # and the corpus, so the harness reports each source on its own
                "labelled_roles": (None if labelled is None
                                   else frozenset(label_name(r, ROLES) for r in labelled)),
                "group": source["corpus"] if source else None,
                "held_out": bool(row.get("out_of_source")),
            }

    def inputs(self, root: Path | None, data: str, split: str) -> list[dict]:
        return [{"doc_id": p["doc_id"], "lines": p["lines"]}
                for p in labelled_pages(gold_files(self, split, data, root))]

    def page_inputs(self, pages: list[dict]) -> list[dict]:
        return pages

    def prepare(self, model: Any, spec, root: Path | None, fit: str = "") -> tuple[Any, str]:
        """Learned baselines fit on the train pages of ``fit``'s config (the real pages for
        the real test), or on gold + synthetic train pages; rules fit on nothing. The note
        says what a model was trained on and, for one that runs another library, which
        library and version (its ``describe()``)."""
        notes = []
        if not spec.trains:
            model = model.fit([])
            notes.append("not trained")
        else:
            if fit:
                pool, what = training_pages(root, config=self.config(fit)), f"{fit} train"
                cap = MAX_REAL_TRAIN_PAGES
            else:
                pool, what = training_pages(root), "gold + synthetic train"
                cap = MAX_TRAIN_PAGES
            train = spread(pool, cap)
            model = model.fit(train)
            of = f" (an even spread of {len(pool)})" if len(train) < len(pool) else ""
            notes.append(f"trained on {len(train)} {what} pages{of}")
        if hasattr(model, "describe"):
            notes.append(model.describe())
        return model, "; ".join(notes)
