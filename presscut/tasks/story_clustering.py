"""Story clustering: which articles report the same event, whatever the outlet."""

from __future__ import annotations

from presscut.tasks import register
from presscut.tasks._articles import ArticleTask

TASK = register(ArticleTask(
    name="story_clustering",
    version="1.0",
    description="Which articles report the same event, whatever the outlet.",
    order=40,
    cluster_field="story_cluster",
    synthetic_column="story_clusters",
    fields={"article_id": "str", "story_cluster": "str"},
    metrics=("ari", "pairwise_f1", "pairwise_precision", "pairwise_recall",
             "bcubed_f1", "bcubed_precision", "bcubed_recall"),
    main_score="ari",
    expected_input_format=(
        "One JSON object per line and one line per article of the whole collection:\n"
        '  {"article_id": "<doc_id>/<k>", "story_cluster": str}'
    ),
    example={"article_id": "000_8aceb1973127ff81/0", "story_cluster": "kim-goals"},
))
