"""What the page tasks (segmentation, line dedup) share: their gold rows and baseline inputs.

Both read the rows of the ``segmentation`` config (``synthetic`` for synthetic data), one
item per page; a baseline is given ``{"doc_id", "lines"}`` and returns one record per page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presscut.harness.gold import config_files, gold_files, label_name, read_rows
from presscut.schema import ROLES
from presscut.tasks import GOLD, SYNTHETIC, Run, Task

PAGE_DATA = {GOLD: "segmentation", SYNTHETIC: "synthetic"}
PAGE_RUNS = (Run(GOLD, "test"), Run(SYNTHETIC, "test"))
# Learned page baselines fit on at most this many pages (an even spread over gold +
# synthetic train); more adds minutes to every run for no measured gain on validation.
MAX_TRAIN_PAGES = 2000


def spread(items: list, n: int) -> list:
    """At most ``n`` items, evenly spread (every source file stays represented)."""
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(k * step)] for k in range(n)]


def labelled_pages(files: Iterable[Path]) -> list[dict]:
    """Pages ``{"doc_id", "lines", "roles", "articles"}`` (role names, [start, end) spans)."""
    return [
        {"doc_id": row["doc_id"], "lines": row["lines"],
         "roles": [label_name(r, ROLES) for r in row["roles"]],
         "articles": [[a["start_line"], a["end_line"]] for a in row["articles"]]}
        for row in read_rows(files, ["doc_id", "lines", "roles", "articles"])
    ]


def training_pages(root: Path | None = None, *, splits: Iterable[str] = ("train",),
                   synthetic: bool = True) -> list[dict]:
    """Labelled pages for learned page baselines: gold/silver + synthetic pages of ``splits``.

    Missing files are skipped: before the first build there is nothing to train on.
    """
    splits = list(splits)
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
        for row in read_rows(files, ["doc_id", "lines", "roles", "articles", "dup_groups"]):
            yield {
                "id": row["doc_id"],
                "lines": row["lines"],
                "roles": [label_name(r, ROLES) for r in row["roles"]],
                "articles": [(a["start_line"], a["end_line"]) for a in row["articles"]],
                "dup_groups": [g["lines"] for g in row["dup_groups"]],
            }

    def inputs(self, root: Path | None, data: str, split: str) -> list[dict]:
        return [{"doc_id": p["doc_id"], "lines": p["lines"]}
                for p in labelled_pages(gold_files(self, split, data, root))]

    def page_inputs(self, pages: list[dict]) -> list[dict]:
        return pages

    def prepare(self, model: Any, spec, root: Path | None) -> tuple[Any, str]:
        train = spread(training_pages(root), MAX_TRAIN_PAGES) if spec.trains else []
        return model.fit(train), ""
