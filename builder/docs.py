"""Keep the generated parts of README.md and dataset_card.md in step with the build.

README.md's YAML header (``configs:``) is what ``datasets.load_dataset`` reads from a
clone, and the split-size tables are figures: both are written by the builder,
never typed by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from presscut import paths
from presscut.builder.build import BuildReport
from presscut.schema import SPLITS

SIZES_START, SIZES_END = "<!-- split-sizes:start -->", "<!-- split-sizes:end -->"
EXAMPLES_START, EXAMPLES_END = "<!-- examples:start -->", "<!-- examples:end -->"
REAL_START, REAL_END = "<!-- real-sources:start -->", "<!-- real-sources:end -->"

CARD_META = """license: other
license_name: mixed-news-copyright
language:
- en
- de
- multilingual
pretty_name: presscut
size_categories:
- 1K<n<10K
task_categories:
- text-classification
- token-classification
tags:
- news
- boilerplate-removal
- deduplication
- stance-detection
- web-scraping
"""


def yaml_header(report: BuildReport) -> str:
    lines = ["---", CARD_META.rstrip("\n"), "configs:"]
    for config, counts in report.rows.items():
        lines.append(f"- config_name: {config}")
        lines.append("  data_files:")
        for split in SPLITS:
            if split in counts:
                lines.append(f"  - split: {split}")
                lines.append(f"    path: splits/{config}/{split}.parquet")
    lines.append("---")
    return "\n".join(lines) + "\n"


def sizes_table(report: BuildReport) -> str:
    head = (
        "| config | " + " | ".join(SPLITS) + " | unit |\n|---|" + "---:|" * len(SPLITS) + "---|\n"
    )
    units = {
        "pages": "pages",
        "segmentation": "pages",
        "articles": "articles",
        "stance": "ordered article pairs",
        "synthetic": "pages",
        "real": "pages",
    }
    body = "".join(
        f"| {config} | "
        + " | ".join(str(counts.get(s, 0)) for s in SPLITS)
        + f" | {units.get(config, 'rows')} |\n"
        for config, counts in report.rows.items()
    )
    return head + body


def _shorten(value, width: int = 70):
    if isinstance(value, str) and len(value) > width:
        return value[:width] + f"… (+{len(value) - width} chars)"
    if isinstance(value, list):
        head = [_shorten(v, width) for v in value[:6]]
        return head + ([f"… (+{len(value) - 6} more)"] if len(value) > 6 else [])
    if isinstance(value, dict):
        return {k: _shorten(v, width) for k, v in value.items()}
    return value


def examples_markdown(out_dir: Path, configs: list[str]) -> str:
    """One real row per config (first row of its train split), long values shortened."""
    import pyarrow.parquet as pq

    from presscut.schema import CONFIG_FEATURES

    parts = []
    for config in configs:
        path = out_dir / config / "train.parquet"
        if not path.exists():
            continue
        table = pq.read_table(path)
        if table.num_rows == 0:
            continue
        row = table.slice(0, 1).to_pylist()[0]
        features = CONFIG_FEATURES[config]
        # show label names, not ids, so the example reads as the data means
        for name, feature in features.items():
            names = getattr(feature, "names", None) or getattr(
                getattr(feature, "feature", None), "names", None
            )
            if names and isinstance(row[name], list):
                row[name] = [names[i] for i in row[name]]
            elif names is not None and isinstance(row[name], int):
                row[name] = names[row[name]]
        body = json.dumps(_shorten(row), indent=1, ensure_ascii=False)
        parts.append(
            f"**`{config}`** (first row of `train`, long values shortened):\n\n```json\n{body}\n```\n"
        )
    return "\n".join(parts)


def replace_header(text: str, header: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            text = text[end + 5 :]
    return header + text


def replace_between(text: str, start: str, end: str, content: str) -> str:
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        return text
    return pattern.sub(lambda _: f"{start}\n{content}{end}", text)


def update_docs(root: Path | None, report: BuildReport) -> None:
    root = root or paths.project_root()
    readme = root / "README.md"
    if readme.exists():
        text = replace_header(readme.read_text(encoding="utf-8"), yaml_header(report))
        text = replace_between(text, SIZES_START, SIZES_END, sizes_table(report))
        readme.write_text(text, encoding="utf-8")
    card = root / "dataset_card.md"
    if card.exists():
        text = replace_between(
            card.read_text(encoding="utf-8"), SIZES_START, SIZES_END, sizes_table(report)
        )
        examples = examples_markdown(paths.splits_dir(root), list(report.rows))
        text = replace_between(text, EXAMPLES_START, EXAMPLES_END, examples)
        if report.real:
            from presscut.builder.real.build import card_table

            text = replace_between(text, REAL_START, REAL_END,
                                   card_table(report.real, report.rows["real"]))
        card.write_text(text, encoding="utf-8")
