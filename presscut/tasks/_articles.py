"""What the collection tasks (article dedup, story clustering) share.

Their items are articles, scored over the whole gold collection at once; a baseline is
given every article ``{"article_id", "title", "body"}`` and returns one record per
article naming its cluster. Synthetic articles are cut out of the generator's pages
with their role labels (title = first title line, body = the body lines joined by
"\\n", as the gold builder does).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from presscut.errors import PresscutError
from presscut.harness.gold import config_files, label_name, read_rows
from presscut.harness.scoring import ClusterScorer
from presscut.harness.validate import str_field
from presscut.schema import ROLES, SPLITS
from presscut.tasks import ALL, GOLD, SYNTHETIC, Run, Task

ARTICLE_DATA = {GOLD: "articles", SYNTHETIC: "synthetic"}
CLUSTER_FIELDS = ("dup_cluster", "story_cluster")
# thresholds are tuned here: never on the gold collection the tasks are scored on
TUNE_DATA, TUNE_SPLIT = SYNTHETIC, "validation"


def read_articles(root: Path | None = None, data: str = GOLD,
                  splits: Iterable[str] | str = SPLITS) -> list[dict]:
    """Articles ``{"article_id", "title", "body", "dup_cluster", "story_cluster"}``."""
    files = config_files(ARTICLE_DATA[data], splits, root)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise PresscutError(f"no built {ARTICLE_DATA[data]} data: run `presscut build` first",
                            missing)
    if data == GOLD:
        return [{"article_id": r["article_id"], "title": r["title"], "body": r["body"],
                 "dup_cluster": r["dup_cluster"], "story_cluster": r["story_cluster"]}
                for r in read_rows(files, ["article_id", "title", "body", *CLUSTER_FIELDS])]
    out = []
    cols = ["lines", "roles", "articles", "article_ids", "dup_clusters", "story_clusters"]
    for r in read_rows(files, cols):
        roles = [label_name(x, ROLES) for x in r["roles"]]
        for aid, span, d, s in zip(r["article_ids"], r["articles"], r["dup_clusters"],
                                   r["story_clusters"]):
            idx = range(span["start_line"], span["end_line"])
            title = next((r["lines"][i].strip() for i in idx if roles[i] == "title"), "")
            body = "\n".join(r["lines"][i] for i in idx if roles[i] == "body")
            out.append({"article_id": aid, "title": title, "body": body,
                        "dup_cluster": d, "story_cluster": s})
    return out


def article_inputs(articles: list[dict]) -> list[dict]:
    return [{"article_id": a["article_id"], "title": a["title"], "body": a["body"]}
            for a in articles]


@dataclass(frozen=True, kw_only=True, eq=False)
class ArticleTask(Task):
    """A clustering of every article of the collection (``cluster_field`` per article)."""

    cluster_field: str
    synthetic_column: str  # the synthetic config's per-page list of the same labels
    data: dict[str, str] = field(default_factory=lambda: dict(ARTICLE_DATA))
    id_field: str = "article_id"
    item: str = "article"
    default_split: str = ALL
    runs: tuple[Run, ...] = (Run(GOLD, ALL), Run(SYNTHETIC, "test"))

    def parse(self, rec: dict) -> str:
        return str_field(rec, self.cluster_field)

    def iter_gold(self, files: list[Path], data: str) -> Iterator[dict]:
        if data == GOLD:
            for row in read_rows(files, ["article_id", self.cluster_field]):
                yield {"id": row["article_id"], "label": row[self.cluster_field]}
            return
        for row in read_rows(files, ["article_ids", self.synthetic_column]):
            for aid, label in zip(row["article_ids"], row[self.synthetic_column]):
                yield {"id": aid, "label": label}

    def make_scorer(self) -> ClusterScorer:
        return ClusterScorer(self.id_field, self.cluster_field)

    def gold_record(self, item: dict) -> dict:
        return {self.id_field: item["id"], self.cluster_field: item["label"]}

    def inputs(self, root: Path | None, data: str, split: str) -> list[dict]:
        return article_inputs(read_articles(root, data, split))

    def prepare(self, model: Any, spec, root: Path | None,
                fit: str = "") -> tuple[Any, str]:  # noqa: ARG002 - one training set
        """Tune the baseline's threshold over its grid on synthetic validation articles
        (left at its default when that split is not built)."""
        param = getattr(model, "tune_param", "")
        notes = (f"{param}={model.get_params()[param]} (tuned on synthetic validation)"
                 if param else "")
        if not spec.grid:
            return model.fit([]), notes
        try:
            arts = read_articles(root, TUNE_DATA, (TUNE_SPLIT,))
        except PresscutError:
            return model.fit([]), notes
        from presscut.baselines.article_dedup import tune

        labels = [a[self.cluster_field] for a in arts]
        model = tune(model, article_inputs(arts), labels, spec.grid).estimator
        notes = f"{param}={model.get_params()[param]} (tuned on synthetic validation)"
        return model, notes
