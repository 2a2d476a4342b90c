"""Line dedup: groups of lines inside a page that repeat each other (exact or near)."""

from __future__ import annotations

from dataclasses import dataclass

from presscut.harness import metrics as m
from presscut.harness.bootstrap import Scores
from presscut.harness.scoring import Sums, SumScorer
from presscut.harness.validate import check_number, is_int, list_field
from presscut.tasks import BadRecord, register
from presscut.tasks._pages import PageTask


def _line_labels(n_lines: int, groups) -> list:
    labels: list = [("single", i) for i in range(n_lines)]
    for g, members in enumerate(groups):
        for line in members:
            labels[line] = ("group", g)
    return labels


class LineDedupScorer(SumScorer):
    columns = ("tp", "fp", "fn")  # same-group line pairs

    def add(self, gold: dict, pred: tuple[tuple[int, ...], ...]) -> None:
        n = len(gold["lines"])
        tp, fp, fn, _ = m.pair_counts(_line_labels(n, gold["dup_groups"]), _line_labels(n, pred))
        self.append({"tp": tp, "fp": fp, "fn": fn})
        p, r, f = m.prf(tp, tp + fp, tp + fn)
        self.emit({"doc_id": gold["id"], "pairwise_precision": p,
                   "pairwise_recall": r, "pairwise_f1": f,
                   "gold_pairs": tp + fn, "predicted_pairs": tp + fp})

    def finalize(self, s: Sums, n: float) -> Scores:
        tp, fp, fn = s["tp"], s["fp"], s["fn"]
        p, r, f = m.prf(tp, tp + fp, tp + fn)
        return {"pairwise_f1": f, "pairwise_precision": p, "pairwise_recall": r}


@dataclass(frozen=True, kw_only=True, eq=False)
class LineDedup(PageTask):
    def parse(self, rec: dict) -> tuple[tuple[int, ...], ...]:
        groups, seen = [], {}
        for j, group in enumerate(list_field(rec, "groups")):
            if not isinstance(group, list):
                raise BadRecord(f"groups[{j}] must be a list of line numbers, "
                                f"got {type(group).__name__}")
            for x in group:
                check_number(x, f"groups[{j}]")
                if not is_int(x) or x < 0:
                    raise BadRecord(f"groups[{j}] holds {x!r}, not a line number")
                if x in seen:
                    raise BadRecord(f"line {x} is in groups[{seen[x]}] and groups[{j}]"
                                    if seen[x] != j else f"groups[{j}] lists line {x} twice")
                seen[x] = j
            if len(group) < 2:
                raise BadRecord(f"groups[{j}] has {len(group)} line(s); a group needs at least 2")
            groups.append(tuple(group))
        return tuple(groups)

    def check(self, value, gold: dict) -> str | None:
        n_lines = len(gold["lines"])
        for g in value:
            out = [x for x in g if x >= n_lines]
            if out:
                return f"line {out[0]} in a group is past the page's {n_lines} lines"
        return None

    def make_scorer(self) -> LineDedupScorer:
        return LineDedupScorer()

    def gold_record(self, item: dict) -> dict:
        return {"doc_id": item["id"], "groups": item["dup_groups"]}


TASK = register(LineDedup(
    name="line_dedup",
    version="1.0",
    description="Groups of lines inside a page that repeat each other (exact or near).",
    order=20,
    fields={"doc_id": "str", "groups": "list[list[int]]"},
    metrics=("pairwise_f1", "pairwise_precision", "pairwise_recall"),
    main_score="pairwise_f1",
    expected_input_format=(
        "One JSON object per line and one line per page of the split:\n"
        '  {"doc_id": str, "groups": [[line, line, ...], ...]}\n'
        "Each group holds >= 2 distinct 0-based line numbers of the page; a line is in at "
        "most one group. Pages without repeats have \"groups\": []."
    ),
    example={"doc_id": "000_8aceb1973127ff81", "groups": [[0, 12], [3, 4, 9]]},
))
