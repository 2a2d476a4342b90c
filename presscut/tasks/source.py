"""Source: the outlet that published a page (null when the page does not show it)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presscut.harness import metrics as m
from presscut.harness.bootstrap import Scores
from presscut.harness.gold import config_files, gold_files, read_rows
from presscut.harness.scoring import LabelScorer
from presscut.harness.validate import str_field
from presscut.tasks import GOLD, Task, register

FIT_SPLITS = ("train", "validation")  # nothing is tuned; the gold set is tiny


def normalise_outlet(name: str | None) -> str | None:
    """Outlets compare case-insensitively with whitespace collapsed; empty is None."""
    return None if name is None else " ".join(name.split()).casefold() or None


class SourceScorer(LabelScorer):
    NONE = "<none>"  # the class "page names no outlet"

    def compute(self, gold: list, pred: list) -> Scores:
        g = [self.NONE if x is None else x for x in gold]
        p = [self.NONE if x is None else x for x in pred]
        return {"accuracy": m.accuracy(g, p), "macro_f1": m.macro_f1(g, p)}

    def breakdown(self) -> list[dict]:
        return [{"doc_id": i, "gold": g, "predicted": p, "correct": g == p}
                for i, g, p in zip(self.ids, self.gold, self.pred)]


def read_pages(root: Path | None, splits: Iterable[str] | str
               ) -> tuple[list[dict], list[str | None]]:
    """Pages ``{"doc_id", "text"}`` and their outlets (None where the page shows none)."""
    pages, outlets = [], []
    for r in read_rows(config_files(TASK.config(GOLD), splits, root), ["doc_id", "text", "outlet"]):
        pages.append({"doc_id": r["doc_id"], "text": r["text"]})
        outlets.append(r["outlet"] or None)
    return pages, outlets


@dataclass(frozen=True, kw_only=True, eq=False)
class Source(Task):
    data: dict[str, str] = field(default_factory=lambda: {GOLD: "pages"})

    def parse(self, rec: dict) -> str | None:
        return normalise_outlet(str_field(rec, "outlet", nullable=True))

    def iter_gold(self, files: list[Path], data: str) -> Iterator[dict]:
        for row in read_rows(files, ["doc_id", "outlet"]):
            yield {"id": row["doc_id"], "label": normalise_outlet(row["outlet"])}

    def make_scorer(self) -> SourceScorer:
        return SourceScorer()

    def gold_record(self, item: dict) -> dict:
        return {"doc_id": item["id"], "outlet": item["label"]}

    def inputs(self, root: Path | None, data: str, split: str) -> list[dict]:
        gold_files(self, split, data, root)  # a clear error when the split is not built
        return read_pages(root, split)[0]

    def prepare(self, model: Any, spec, root: Path | None,
                fit: str = "") -> tuple[Any, str]:  # noqa: ARG002 - one training set
        pages, outlets = read_pages(root, FIT_SPLITS)
        named = sum(o is not None for o in outlets)
        return model.fit(pages, outlets), (f"fitted on {len(outlets)} gold train+validation "
                                           f"pages ({named} with an outlet)")

    def page_inputs(self, pages: list[dict]) -> list[dict]:
        return [{"doc_id": p["doc_id"], "text": "\n".join(p["lines"])} for p in pages]


TASK = register(Source(
    name="source",
    version="1.0",
    description="The outlet that published a page (null when the page does not show it).",
    order=60,
    default_split="test",
    id_field="doc_id",
    item="page",
    fields={"doc_id": "str", "outlet": "str|null"},
    metrics=("accuracy", "macro_f1"),
    main_score="accuracy",
    predicts_pages=True,
    expected_input_format=(
        "One JSON object per line and one line per page of the split:\n"
        '  {"doc_id": str, "outlet": str or null}\n'
        "Outlets are compared case-insensitively with whitespace collapsed; null means "
        "the page does not name its outlet."
    ),
    example={"doc_id": "002_70abb2c0b52d4adb", "outlet": "The Independent"},
))
