"""``presscut promote``: a reviewed silver file becomes gold.

The file is edited as text (only the ``provenance:`` line changes) so the
curator's comments and layout survive; it is validated before and after, and a
file that breaks any rule is left exactly as it was.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from presscut import paths
from presscut.annotations import Page, parse_page, read_raw
from presscut.builder.corpus import load_page
from presscut.curation.silver import CLUSTER_NOTE
from presscut.errors import AnnotationError

# the top-level key only: nested keys are indented
_PROVENANCE = re.compile(
    r"^provenance:[ \t]*(['\"]?)silver\1([ \t]*(?:#[^\n]*)?\r?)$", re.MULTILINE
)
_ANY_PROVENANCE = re.compile(r"^provenance:.*$", re.MULTILINE)


@dataclass
class Promoted:
    doc_id: str
    label_path: Path
    warnings: list[str] = field(default_factory=list)


def _load(doc_id: str, root: Path | None) -> tuple[Path, Page]:
    return paths.labels_dir(root) / f"{doc_id}.yaml", load_page(doc_id, root)


def _cluster_conflicts(page: Page, root: Path | None) -> list[str]:
    """The corpus rule a single file cannot check: a dup_cluster never spans two stories."""
    from presscut.builder.corpus import load_corpus  # the builder is heavier; load on demand

    story_of: dict[str, tuple[str, str]] = {}
    for other in load_corpus(root).pages:
        if other.doc_id == page.doc_id:
            continue
        for a in other.articles:
            story_of.setdefault(a.dup_cluster, (a.story_cluster, other.article_id(a.k)))
    problems = []
    for a in page.articles:
        if a.dup_cluster in story_of and story_of[a.dup_cluster][0] != a.story_cluster:
            story, where = story_of[a.dup_cluster]
            problems.append(
                f"article {page.article_id(a.k)}: dup_cluster {a.dup_cluster!r} spans two "
                f"stories ({a.story_cluster!r} here, {story!r} at {where})"
            )
    return problems


def promote(doc_id: str, root: Path | None = None) -> Promoted:
    """Rewrite ``provenance: silver`` to ``gold`` in ``corpus/labels/<doc_id>.yaml``."""
    label_path, page = _load(doc_id, root)
    if page.provenance != "silver":
        raise AnnotationError(
            f"{label_path}: provenance is {page.provenance!r}; only silver files can be promoted"
        )
    problems = _cluster_conflicts(page, root)
    if problems:
        raise AnnotationError(f"{label_path}: not promoted, {len(problems)} problem(s)", problems)

    text = label_path.read_bytes().decode("utf-8")
    matches = _PROVENANCE.findall(text)
    if len(matches) != 1 or len(_ANY_PROVENANCE.findall(text)) != 1:
        raise AnnotationError(
            f"{label_path}: expected exactly one top-level 'provenance: silver' line to edit"
        )
    promoted = _PROVENANCE.sub(lambda m: f"provenance: gold{m.group(2)}", text, count=1)

    _check_promoted(doc_id, label_path, promoted, root)
    # swap the edited file in atomically: a crash never leaves half a file
    fd, tmp_name = tempfile.mkstemp(dir=label_path.parent, prefix=f".{doc_id}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(promoted.encode("utf-8"))
        os.replace(tmp_name, label_path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)

    warnings = []
    if any(a.note == CLUSTER_NOTE for a in page.articles):
        warnings.append(
            "some articles still carry the placeholder-cluster note; "
            "check dup_cluster/story_cluster were reviewed"
        )
    return Promoted(doc_id, label_path, warnings)


def _check_promoted(doc_id: str, label_path: Path, promoted: str, root: Path | None) -> None:
    """Parse the edited text before it replaces the file."""
    text, sha = read_raw(paths.raw_dir(root) / f"{doc_id}.txt")
    with tempfile.TemporaryDirectory() as tmp:
        check = Path(tmp) / label_path.name
        check.write_text(promoted, encoding="utf-8")
        if parse_page(check, text, sha).provenance != "gold":
            raise AnnotationError(f"{label_path}: provenance edit did not take")
