"""Stance (FNC-1 style): the stance of an article body towards another article's headline."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presscut.harness import metrics as m
from presscut.harness.bootstrap import Scores
from presscut.harness.gold import config_files, gold_files, label_name, read_rows
from presscut.harness.scoring import Sums, SumScorer
from presscut.harness.validate import str_field
from presscut.schema import STANCES
from presscut.tasks import GOLD, BadRecord, register
from presscut.tasks import Task as _Task

_STANCE_LIST = ", ".join(STANCES)
# no hyperparameter of the stance models is tuned, and the gold set is tiny:
# validation joins train for fitting
FIT_SPLITS = ("train", "validation")


class StanceScorer(SumScorer):
    columns = ("earned", "possible", "correct",
               *(f"gold_{s}" for s in STANCES), *(f"pred_{s}" for s in STANCES),
               *(f"tp_{s}" for s in STANCES))

    def add(self, gold: dict, pred: str) -> None:
        g = gold["label"]
        earned, possible = m.fnc_points(g, pred)
        row = dict.fromkeys(self.columns, 0.0)
        row.update(earned=earned, possible=possible, correct=float(g == pred))
        row[f"gold_{g}"] = 1.0
        row[f"pred_{pred}"] = 1.0
        if g == pred:
            row[f"tp_{g}"] = 1.0
        self.append(row)
        self.emit({"pair_id": gold["id"], "gold": g, "predicted": pred,
                   "correct": g == pred, "fnc_points": earned,
                   "fnc_possible": possible})

    def finalize(self, s: Sums, n: float) -> Scores:
        f1s = []
        for st in STANCES:
            gold_n, pred_n, tp = s[f"gold_{st}"], s[f"pred_{st}"], s[f"tp_{st}"]
            if gold_n + pred_n > 0:
                f1s.append(m.prf(tp, pred_n, gold_n)[2])
        return {
            "fnc_score": float(s["earned"] / s["possible"]) if s["possible"] else 1.0,
            "macro_f1": float(sum(f1s) / len(f1s)) if f1s else 1.0,
            "accuracy": float(s["correct"] / n) if n else 1.0,
        }


def read_pairs(root: Path | None, splits: Iterable[str] | str) -> tuple[list[dict], list[str]]:
    """Stance pairs ``{"pair_id", "headline", "body"}`` of the gold config and their stances."""
    files = config_files(TASK.config(GOLD), splits, root)
    pairs, labels = [], []
    for r in read_rows(files, ["pair_id", "headline", "body", "stance"]):
        pairs.append({"pair_id": r["pair_id"], "headline": r["headline"], "body": r["body"]})
        labels.append(label_name(r["stance"], STANCES))
    return pairs, labels


@dataclass(frozen=True, kw_only=True, eq=False)
class Stance(_Task):
    data: dict[str, str] = field(default_factory=lambda: {GOLD: "stance"})

    def parse(self, rec: dict) -> str:
        s = str_field(rec, "stance")
        if s not in STANCES:
            raise BadRecord(f"stance {s!r} is not one of {_STANCE_LIST}")
        return s

    def iter_gold(self, files: list[Path], data: str) -> Iterator[dict]:
        for row in read_rows(files, ["pair_id", "stance"]):
            yield {"id": row["pair_id"], "label": label_name(row["stance"], STANCES)}

    def make_scorer(self) -> StanceScorer:
        return StanceScorer()

    def gold_record(self, item: dict) -> dict:
        return {"pair_id": item["id"], "stance": item["label"]}

    def inputs(self, root: Path | None, data: str, split: str) -> list[dict]:
        gold_files(self, split, data, root)  # a clear error when the split is not built
        return read_pairs(root, split)[0]

    def prepare(self, model: Any, spec, root: Path | None,
                fit: str = "") -> tuple[Any, str]:  # noqa: ARG002 - one training set
        pairs, labels = read_pairs(root, FIT_SPLITS)
        return model.fit(pairs, labels), f"fitted on {len(pairs)} gold train+validation pairs"


TASK = register(Stance(
    name="stance",
    version="1.0",
    description="FNC-1 stance of an article body towards another article's headline.",
    order=50,
    default_split="test",
    id_field="pair_id",
    item="pair",
    fields={"pair_id": "str", "stance": "str"},
    metrics=("fnc_score", "macro_f1", "accuracy"),
    main_score="fnc_score",
    expected_input_format=(
        "One JSON object per line and one line per pair of the split:\n"
        '  {"pair_id": "<headline_article_id>|<body_article_id>", "stance": str}\n'
        f"stance: one of {_STANCE_LIST}."
    ),
    example={"pair_id": "000_8aceb1973127ff81/0|002_70abb2c0b52d4adb/0", "stance": "agree"},
))
