"""The benchmark's tasks, declared as data (in the manner of MTEB task metadata).

A task says what it reads, what a prediction looks like and how it is scored; the
logic lives in ``metrics`` / ``scoring``. Change a metric or a prediction format and
bump the task's ``version``: every score records it, so old scores show up as stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from presscut.errors import PresscutError
from presscut.schema import ROLES, STANCES

HIGHER, LOWER = "higher", "lower"
ALL_SPLITS = ("all", "train", "validation", "test")  # "all" = the splits together


@dataclass(frozen=True)
class Task:
    name: str
    version: str
    description: str
    config: str  # gold config the items come from
    default_split: str  # "all" = every split of ``config`` together
    id_field: str  # the prediction field naming the item
    item: str  # what one item is (for messages and the per-item breakdown)
    fields: dict[str, str]  # prediction field → type, as the validator enforces it
    metrics: tuple[str, ...]
    main_score: str
    lower_is_better: tuple[str, ...] = ()
    synthetic: bool = False  # can be scored on the synthetic config too
    expected_input_format: str = ""
    allowed_splits: tuple[str, ...] = ALL_SPLITS
    example: dict = field(default_factory=dict)
    # metrics that slice another metric (e.g. recall by edit level) or count what a slice
    # holds: reported, but not summary scores for a results table
    breakdown_metrics: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()  # plain counts: no direction that is better, no CI

    def direction(self, metric: str) -> str:
        return LOWER if metric in self.lower_is_better else HIGHER


# The synthetic generator's edit levels: 0 = an exact copy, 1 word substitutions,
# 2 sentence drops/insertions, 3 paragraph reordering + truncation (``edit_level``
# in the synthetic config). A same-cluster pair is as hard as its more edited article.
EDIT_LEVELS = (0, 1, 2, 3)
LEVEL_RECALLS = tuple(f"recall_level_{k}" for k in EDIT_LEVELS)
LEVEL_PAIRS = tuple(f"gold_pairs_level_{k}" for k in EDIT_LEVELS)

_ROLE_LIST = ", ".join(ROLES)
_STANCE_LIST = ", ".join(STANCES)

SEGMENTATION = Task(
    name="segmentation",
    version="1.0",
    description="Article spans and a role for every line of a scraped page.",
    config="segmentation",
    default_split="test",
    id_field="doc_id",
    item="page",
    fields={"doc_id": "str", "roles": "list[str]", "articles": "list[[int, int]]"},
    metrics=(
        "body_f1",
        "body_precision",
        "body_recall",
        "boundary_f1",
        "boundary_precision",
        "boundary_recall",
        "boundary_f1_tol1",
        "pk",
        "windowdiff",
        "role_macro_f1",
        *(f"role_f1_{r}" for r in ROLES if r != "blank"),
    ),
    main_score="body_f1",
    lower_is_better=("pk", "windowdiff"),
    synthetic=True,
    expected_input_format=(
        "One JSON object per line and one line per page of the split:\n"
        '  {"doc_id": str, "roles": [str, ...], "articles": [[start_line, end_line], ...]}\n'
        "roles: one role per line of the page (len == number of lines), each one of "
        f"{_ROLE_LIST}; entries on blank lines are ignored.\n"
        "articles: [start, end) line spans, 0 <= start < end <= number of lines, "
        "not overlapping (any order)."
    ),
    example={"doc_id": "000_8aceb1973127ff81", "roles": ["title", "blank", "body"],
             "articles": [[0, 3]]},
)

LINE_DEDUP = Task(
    name="line_dedup",
    version="1.0",
    description="Groups of lines inside a page that repeat each other (exact or near).",
    config="segmentation",
    default_split="test",
    id_field="doc_id",
    item="page",
    fields={"doc_id": "str", "groups": "list[list[int]]"},
    metrics=("pairwise_f1", "pairwise_precision", "pairwise_recall"),
    main_score="pairwise_f1",
    synthetic=True,
    expected_input_format=(
        "One JSON object per line and one line per page of the split:\n"
        '  {"doc_id": str, "groups": [[line, line, ...], ...]}\n'
        "Each group holds >= 2 distinct 0-based line numbers of the page; a line is in at "
        "most one group. Pages without repeats have \"groups\": []."
    ),
    example={"doc_id": "000_8aceb1973127ff81", "groups": [[0, 12], [3, 4, 9]]},
)

ARTICLE_DEDUP = Task(
    name="article_dedup",
    version="1.1",  # 1.1: pair recall by edit level on synthetic data
    description="Which articles are the same text (a re-scrape, a syndicated copy).",
    config="articles",
    default_split="all",
    id_field="article_id",
    item="article",
    fields={"article_id": "str", "dup_cluster": "str"},
    metrics=("pairwise_f1", "pairwise_precision", "pairwise_recall", "ari",
             "bcubed_f1", "bcubed_precision", "bcubed_recall", *LEVEL_RECALLS, *LEVEL_PAIRS),
    main_score="pairwise_f1",
    synthetic=True,
    # only synthetic data records edit levels; on gold these are None
    breakdown_metrics=(*LEVEL_RECALLS, *LEVEL_PAIRS),
    counts=LEVEL_PAIRS,
    expected_input_format=(
        "One JSON object per line and one line per article of the whole collection:\n"
        '  {"article_id": "<doc_id>/<k>", "dup_cluster": str}\n'
        "Articles with the same dup_cluster string are predicted duplicates; the strings "
        "themselves carry no meaning."
    ),
    example={"article_id": "000_8aceb1973127ff81/0", "dup_cluster": "c17"},
)

STORY_CLUSTERING = Task(
    name="story_clustering",
    version="1.0",
    description="Which articles report the same event, whatever the outlet.",
    config="articles",
    default_split="all",
    id_field="article_id",
    item="article",
    fields={"article_id": "str", "story_cluster": "str"},
    metrics=("ari", "pairwise_f1", "pairwise_precision", "pairwise_recall",
             "bcubed_f1", "bcubed_precision", "bcubed_recall"),
    main_score="ari",
    synthetic=True,
    expected_input_format=(
        "One JSON object per line and one line per article of the whole collection:\n"
        '  {"article_id": "<doc_id>/<k>", "story_cluster": str}'
    ),
    example={"article_id": "000_8aceb1973127ff81/0", "story_cluster": "kim-goals"},
)

STANCE = Task(
    name="stance",
    version="1.0",
    description="FNC-1 stance of an article body towards another article's headline.",
    config="stance",
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
)

SOURCE = Task(
    name="source",
    version="1.0",
    description="The outlet that published a page (null when the page does not show it).",
    config="pages",
    default_split="test",
    id_field="doc_id",
    item="page",
    fields={"doc_id": "str", "outlet": "str|null"},
    metrics=("accuracy", "macro_f1"),
    main_score="accuracy",
    expected_input_format=(
        "One JSON object per line and one line per page of the split:\n"
        '  {"doc_id": str, "outlet": str or null}\n'
        "Outlets are compared case-insensitively with whitespace collapsed; null means "
        "the page does not name its outlet."
    ),
    example={"doc_id": "002_70abb2c0b52d4adb", "outlet": "The Independent"},
)

TASKS: dict[str, Task] = {
    t.name: t for t in (SEGMENTATION, LINE_DEDUP, ARTICLE_DEDUP, STORY_CLUSTERING, STANCE, SOURCE)
}


def get_task(name: str) -> Task:
    try:
        return TASKS[name]
    except KeyError:
        raise PresscutError(
            f"unknown task {name!r}; tasks are: {', '.join(TASKS)}"
        ) from None
