"""Keep the generated parts of README.md and dataset_card.md in step with the build.

README.md's YAML header (``configs:``) is what ``datasets.load_dataset`` reads from a
clone, and the split-size tables are figures: both are written by the builder,
never typed by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

from presscut.builder.build import BuildReport

from presscut import paths
from presscut.schema import SPLITS

SIZES_START, SIZES_END = "<!-- split-sizes:start -->", "<!-- split-sizes:end -->"

CARD_META = """license: other
license_name: mixed-news-copyright
language:
- en
pretty_name: presscut
size_categories:
- n<1K
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
    }
    body = "".join(
        f"| {config} | "
        + " | ".join(str(counts.get(s, 0)) for s in SPLITS)
        + f" | {units.get(config, 'rows')} |\n"
        for config, counts in report.rows.items()
    )
    return head + body


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
        card.write_text(text, encoding="utf-8")
