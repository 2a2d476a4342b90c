"""``presscut add``: bring new raw pages into the corpus with silver labels.

Every input is checked (UTF-8, not empty, not already in the corpus) and
pre-labelled before anything is written, so a refused batch leaves the corpus
untouched.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from presscut import paths
from presscut.annotations import (
    Page,
    page_kind,
    page_to_yaml,
    parse_page,
    read_page,
    sha256_bytes,
)
from presscut.builder.corpus import read_sums
from presscut.curation.silver import Prelabeler, silver_page
from presscut.errors import AnnotationError, PresscutError

SUMS = "SHA256SUMS"
_INDEX = re.compile(r"^(\d+)_")


@dataclass
class Added:
    source: Path
    doc_id: str
    raw_path: Path
    label_path: Path
    n_lines: int
    n_articles: int
    n_dup_groups: int


@dataclass
class Skipped:
    source: Path
    existing_doc_id: str


def make_doc_id(index: int, sha256: str) -> str:
    return f"{index:03d}_{sha256[:16]}"


def _read_sums(raw_dir: Path) -> dict[str, str]:
    """sha256 → doc id for every page the corpus already holds."""
    known: dict[str, str] = {}
    sums = raw_dir / SUMS
    if sums.exists():
        entries, problems = read_sums(sums)
        if problems:
            raise AnnotationError(f"{problems[0].file}: {problems[0].reason}; fix it before "
                                  "adding pages")
        known = {digest: Path(name).stem for _, digest, name in entries}
    # pages on disk but missing from SHA256SUMS still count as present
    listed = set(known.values())
    for path in sorted(raw_dir.glob("*.txt")):
        if path.stem not in listed:
            known.setdefault(sha256_bytes(path.read_bytes()), path.stem)
    return known


def next_index(raw_dir: Path, known_ids: Iterable[str]) -> int:
    indices = [
        int(m.group(1))
        for name in [*known_ids, *(p.stem for p in raw_dir.glob("*.txt"))]
        if (m := _INDEX.match(name))
    ]
    return max(indices, default=-1) + 1


def default_prelabeler(root: Path | None = None) -> tuple[Prelabeler, str]:
    """The segmentation task's default baseline (the registry's ``default``), loaded as
    ``presscut predict`` loads it: a committed model, never a fit per call."""
    try:
        from presscut.baselines.registry import default_for, ready
        from presscut.tasks.segmentation import TASK as SEGMENTATION
    except ImportError as err:
        raise PresscutError(
            f"no default pre-labeler available (presscut.baselines.registry: {err})"
        ) from None
    segmenter = ready(default_for(SEGMENTATION.name), root)
    name = str(getattr(segmenter, "name", None) or type(segmenter).__name__)
    if hasattr(segmenter, "predict_page"):  # a presscut Baseline: takes a page dict

        def prelabel(doc_id: str, lines: list[str]) -> dict:
            return segmenter.predict_page({"doc_id": doc_id, "lines": lines})

        prelabel.name = name  # type: ignore[attr-defined]
        return prelabel, name
    if callable(segmenter):
        return segmenter, name
    raise PresscutError(f"best_segmenter() returned {segmenter!r}, which cannot label a page")


def _prelabel_name(prelabel: Prelabeler) -> str:
    return str(getattr(prelabel, "name", None) or getattr(prelabel, "__name__", "pre-labeler"))


def add_pages(
    sources: list[Path],
    root: Path | None = None,
    *,
    prelabel: Prelabeler | None = None,
    skip_duplicates: bool = False,
    progress: bool = False,
) -> tuple[list[Added], list[Skipped]]:
    """Copy ``sources`` into ``corpus/raw`` and write a silver label file for each (an
    HTML source is stored as its text, converted as the real pages were).

    Raises AnnotationError listing every refused input (unreadable, not UTF-8,
    empty, exact duplicate of a page already present) and then writes nothing.
    With ``skip_duplicates`` exact duplicates are reported as skipped instead.
    """
    raw_dir, labels_dir = paths.raw_dir(root), paths.labels_dir(root)
    raw_dir.mkdir(parents=True, exist_ok=True)
    labels_dir.mkdir(parents=True, exist_ok=True)
    known = _read_sums(raw_dir)
    index = next_index(raw_dir, known.values())

    problems: list[str] = []
    skipped: list[Skipped] = []
    accepted: list[tuple[Path, bytes, str, str, str]] = []  # source, data, text, sha, doc_id
    for source in sources:
        source = Path(source)
        try:
            # pages from elsewhere may have CRLF endings, or be HTML (converted as the real
            # pages were): the corpus copy is LF text, and its sha256 is of what it holds
            text = read_page(source)
            sha = sha256_bytes(text.encode("utf-8"))
        except AnnotationError as err:
            problems.append(err.message)
            continue
        except OSError as err:
            problems.append(f"{source}: cannot read ({err.strerror})")
            continue
        if sha in known:
            if skip_duplicates:
                skipped.append(Skipped(source, known[sha]))
            else:
                problems.append(
                    f"{source}: exact duplicate of page {known[sha]} already in the corpus "
                    f"(sha256 {sha})"
                )
            continue
        doc_id = make_doc_id(index, sha)
        index += 1
        known[sha] = doc_id  # a second copy inside the same batch is a duplicate too
        accepted.append((source, text.encode("utf-8"), text, sha, doc_id))
    if problems:
        raise AnnotationError(f"{len(problems)} page(s) refused; nothing was added", problems)

    if not accepted:
        return [], skipped
    if prelabel is None:
        with Console(stderr=True).status(
            "choosing a pre-labeler (best baseline on the validation split)"
        ) if progress else nullcontext():
            prelabel, name = default_prelabeler(root)
    else:
        name = _prelabel_name(prelabel)

    labelled: list[tuple[Path, bytes, str, str, Page]] = []
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("pre-labelling", total=len(accepted))
        for source, data, text, sha, doc_id in accepted:
            page = silver_page(doc_id, text, sha, prelabel(doc_id, text.split("\n")), name=name)
            if page_kind(source) == "html":  # where the text came from, on the page
                from presscut.builder.real.convert import converter_id

                page.note = " ".join(filter(None, [page.note, f"text converted from the HTML "
                                                   f"file {source.name} by {converter_id()}"]))
            yaml_text = page_to_yaml(page)
            _check_parses(doc_id, yaml_text, text, sha)
            labelled.append((source, data, doc_id, yaml_text, page))
            bar.advance(task)

    # write every page and label under a temporary name first, then rename them all and
    # append the sums last: a failure part-way leaves no half-added page behind
    staged: list[tuple[Path, Path]] = []
    added = []
    try:
        for source, data, doc_id, yaml_text, page in labelled:
            raw_path = raw_dir / f"{doc_id}.txt"
            label_path = labels_dir / f"{doc_id}.yaml"
            for target, content in ((raw_path, data), (label_path, yaml_text.encode("utf-8"))):
                tmp = target.with_name(f".{target.name}.partial")
                tmp.write_bytes(content)
                staged.append((tmp, target))
            added.append(
                Added(source, doc_id, raw_path, label_path, len(page.roles),
                      len(page.articles), len(page.dup_groups))
            )
        sums_path = raw_dir / SUMS
        sums_text = sums_path.read_text(encoding="utf-8") if sums_path.exists() else ""
        if sums_text and not sums_text.endswith("\n"):
            sums_text += "\n"  # never glue a new entry onto the last line
        sums_text += "".join(f"{page.sha256}  {doc_id}.txt\n"
                             for _, _, doc_id, _, page in labelled)
        tmp_sums = sums_path.with_name(f".{SUMS}.partial")
        tmp_sums.write_text(sums_text, encoding="utf-8")
        staged.append((tmp_sums, sums_path))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return added, skipped


def _check_parses(doc_id: str, yaml_text: str, text: str, sha: str) -> None:
    """The silver file must load like any label file; a failure here is a presscut bug."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{doc_id}.yaml"
        path.write_text(yaml_text, encoding="utf-8")
        try:
            parse_page(path, text, sha)
        except AnnotationError as err:
            raise AnnotationError(
                f"silver labels for {doc_id} do not validate (please report this)", err.problems
            ) from None
