"""``presscut promote``: a reviewed silver file becomes gold.

Promotion needs an explicit review mark: a reviewer's name (``--reviewed-by`` or a
``reviewed_by:`` line in the file), and none of the pre-labeler's notes left untouched.
The file is edited as text (the ``provenance:`` line changes, ``reviewed_by``/``reviewed_on``
lines are added after it) so the curator's comments and layout survive; it is validated
before and after, and a file that breaks any rule is left exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from presscut import paths
from presscut.annotations import Page, parse_page, read_raw
from presscut.builder.corpus import load_page
from presscut.curation.silver import untouched_silver_notes
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


def promote(doc_id: str, root: Path | None = None, *, reviewed_by: str | None = None,
            today: dt.date | None = None) -> Promoted:
    """Rewrite ``provenance: silver`` to ``gold`` in ``corpus/labels/<doc_id>.yaml`` and
    record who reviewed it (``reviewed_by``) and when (``reviewed_on``, UTC date)."""
    label_path, page = _load(doc_id, root)
    if page.provenance != "silver":
        raise AnnotationError(
            f"{label_path}: provenance is {page.provenance!r}; only silver files can be promoted"
        )
    if reviewed_by is not None:
        reviewed_by = " ".join(reviewed_by.split())
        if not reviewed_by:
            raise AnnotationError(f"{label_path}: --reviewed-by needs the reviewer's name")
        if page.reviewed_by is not None and page.reviewed_by != reviewed_by:
            raise AnnotationError(
                f"{label_path}: the file says reviewed_by {page.reviewed_by!r}, "
                f"--reviewed-by says {reviewed_by!r}"
            )
    if page.reviewed_by is None and reviewed_by is None:
        raise AnnotationError(
            f"{label_path}: not promoted: no review mark. Review every label, then run "
            f"`presscut promote {doc_id} --reviewed-by NAME` (or add `reviewed_by: NAME`)"
        )
    problems = untouched_silver_notes(page) + _cluster_conflicts(page, root)
    if problems:
        raise AnnotationError(f"{label_path}: not promoted, {len(problems)} problem(s)", problems)

    text = label_path.read_bytes().decode("utf-8")
    matches = _PROVENANCE.findall(text)
    if len(matches) != 1 or len(_ANY_PROVENANCE.findall(text)) != 1:
        raise AnnotationError(
            f"{label_path}: expected exactly one top-level 'provenance: silver' line to edit"
        )
    added = []
    if page.reviewed_by is None:
        added.append(f"reviewed_by: {json.dumps(reviewed_by, ensure_ascii=False)}")
    if page.reviewed_on is None:
        day = (today or dt.datetime.now(dt.timezone.utc).date()).isoformat()
        added.append(f'reviewed_on: "{day}"')

    def edit(m: re.Match) -> str:
        newline = "\r\n" if m.group(2).endswith("\r") else "\n"
        tail = m.group(2).removesuffix("\r")
        return newline.join([f"provenance: gold{tail}", *added]) + ("\r" if newline == "\r\n" else "")

    promoted = _PROVENANCE.sub(edit, text, count=1)

    _check_promoted(doc_id, label_path, promoted, root)
    # swap the edited file in atomically: a crash never leaves half a file
    fd, tmp_name = tempfile.mkstemp(dir=label_path.parent, prefix=f".{doc_id}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(promoted.encode("utf-8"))
        os.replace(tmp_name, label_path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return Promoted(doc_id, label_path)


def _check_promoted(doc_id: str, label_path: Path, promoted: str, root: Path | None) -> None:
    """Parse the edited text before it replaces the file."""
    text, sha = read_raw(paths.raw_dir(root) / f"{doc_id}.txt")
    with tempfile.TemporaryDirectory() as tmp:
        check = Path(tmp) / label_path.name
        check.write_text(promoted, encoding="utf-8")
        if parse_page(check, text, sha).provenance != "gold":
            raise AnnotationError(f"{label_path}: provenance edit did not take")
