"""Small ``splits/`` trees for tests and benchmarks, written with the real schema.

``write_rows`` fills every column a row leaves out with an empty value of the right
type, so a test states only what it scores. ``gold_predictions`` turns gold rows back
into prediction records (a perfect system), handy for sanity checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import ClassLabel, Value

from presscut import paths
from presscut.harness.gold import gold_files
from presscut.schema import CONFIG_FEATURES, STANCES, is_blank
from presscut.schema import segmentation_row as schema_segmentation_row
from presscut.tasks import ALL, get_task


def _empty(feature):
    if isinstance(feature, ClassLabel):
        return 0
    if isinstance(feature, Value):
        return "" if feature.dtype in ("string", "large_string") else 0
    if isinstance(feature, dict):
        return {k: _empty(v) for k, v in feature.items()}
    return []  # List / Sequence


def complete(config: str, row: dict) -> dict:
    features = CONFIG_FEATURES[config]
    return {k: row[k] if k in row else _empty(f) for k, f in features.items()}


def write_rows(root: Path, config: str, split: str, rows: Iterable[dict]) -> Path:
    path = paths.splits_dir(root) / config / f"{split}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([complete(config, r) for r in rows],
                                 schema=CONFIG_FEATURES[config].arrow_schema)
    pq.write_table(table, path)
    return path


def segmentation_row(
    doc_id: str,
    lines: Sequence[str],
    roles: Sequence[str],
    articles: Sequence[Sequence[int]] = (),
    dup_groups: Sequence[Sequence[int]] = (),
) -> dict:
    """A segmentation row from role names; blank lines get role ``blank`` whatever is given."""
    roles = ["blank" if is_blank(x) else r for x, r in zip(lines, roles)]
    row = schema_segmentation_row(doc_id, list(lines), roles, [tuple(a) for a in articles],
                                  [(list(g), "exact") for g in dup_groups])
    del row["provenance"]  # the callers' configs say where their rows come from
    return row


def stance_row(headline_id: str, body_id: str, stance: str) -> dict:
    return {"pair_id": f"{headline_id}|{body_id}", "headline_article_id": headline_id,
            "body_article_id": body_id, "stance": STANCES.index(stance)}


def gold_predictions(task: str, root: Path | None = None, split: str | None = None,
                     data: str = "gold") -> list[dict]:
    """The gold labels of a split as prediction records of ``task``."""
    t = get_task(task)
    split = split or (t.default_split if data == "gold" else "test")
    return [t.gold_record(item) for item in t.iter_gold(gold_files(t, split, data, root), data)]


__all__ = ["ALL", "complete", "gold_predictions", "segmentation_row", "stance_row", "write_rows"]
