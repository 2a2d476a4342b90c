"""The generated parts of README.md and dataset_card.md match the committed build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from presscut.builder.build import BuildReport
from presscut.builder.docs import update_docs

ROOT = Path(__file__).resolve().parent.parent


def test_readme_and_card_are_current(tmp_path):
    for name in ("README.md", "dataset_card.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "splits", tmp_path / "splits")
    doc = json.loads((ROOT / "splits" / "build_report.json").read_text())
    report = BuildReport(pages=doc["pages"], rows=doc["rows"], files=doc["files"])
    update_docs(tmp_path, report)
    for name in ("README.md", "dataset_card.md"):
        assert (tmp_path / name).read_text() == (ROOT / name).read_text(), (
            f"{name} is stale: run `presscut build`"
        )


def test_readme_declares_every_built_parquet():
    text = (ROOT / "README.md").read_text()
    header = text.split("\n---\n", 1)[0]
    for rel in json.loads((ROOT / "splits" / "build_report.json").read_text())["files"]:
        assert f"path: splits/{rel}" in header, rel
