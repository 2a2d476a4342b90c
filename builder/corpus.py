"""Read the raw corpus and its annotation files, accounting for every raw page.

A page is either loaded (raw text + validated labels) or refused with a reason;
nothing is dropped silently. Strict callers (``presscut validate``/``build``)
turn any refusal into an error; the build report lists them all either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from presscut import paths
from presscut.annotations import (
    Page,
    StancePair,
    parse_page,
    parse_stance,
    read_raw,
    sha256_bytes,
)
from presscut.errors import AnnotationError

STANCE_FILE = "_stance.yaml"


@dataclass
class Refusal:
    file: str
    reason: str


@dataclass
class Corpus:
    pages: list[Page] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    stance: list[StancePair] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)  # raw pages with no label file yet

    def articles(self):
        for page in self.pages:
            for a in page.articles:
                yield page, a


def _reason(err: AnnotationError, path: Path) -> str:
    """The error without its leading file name: a refusal names the file once."""
    text = err.render(limit=50)
    prefix = f"{path}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def load_corpus(root: Path | None = None, *, provenances: tuple[str, ...] | None = None) -> Corpus:
    """Load every raw page under ``corpus/raw`` with its labels from ``corpus/labels``."""
    raw_dir, labels_dir = paths.raw_dir(root), paths.labels_dir(root)
    corpus = Corpus()
    if not raw_dir.is_dir():
        raise AnnotationError(f"{raw_dir}: raw corpus folder is missing")
    raw_files = sorted(p for p in raw_dir.glob("*.txt"))
    label_files = {p.name.removesuffix(".yaml"): p for p in labels_dir.glob("*.yaml")}
    label_files.pop(STANCE_FILE.removesuffix(".yaml"), None)
    raw_ids = {p.stem for p in raw_files}

    for doc_id in sorted(set(label_files) - raw_ids):
        corpus.refused.append(
            Refusal(
                str(label_files[doc_id]),
                f"annotation for a page that does not exist (no {raw_dir / (doc_id + '.txt')})",
            )
        )

    _check_sums(raw_dir, raw_ids, corpus)

    for raw_path in raw_files:
        doc_id = raw_path.stem
        label_path = label_files.get(doc_id)
        try:
            text, sha = read_raw(raw_path)
        except AnnotationError as err:
            corpus.refused.append(Refusal(str(raw_path), _reason(err, raw_path)))
            continue
        if label_path is None:
            corpus.unlabelled.append(str(raw_path))
            corpus.refused.append(
                Refusal(
                    str(raw_path), f"page without annotation (no {labels_dir / (doc_id + '.yaml')})"
                )
            )
            continue
        try:
            page = parse_page(label_path, text, sha)
        except AnnotationError as err:
            corpus.refused.append(Refusal(str(label_path), _reason(err, label_path)))
            continue
        page.source_file = f"corpus/raw/{raw_path.name}"
        if provenances is None or page.provenance in provenances:
            corpus.pages.append(page)

    _check_clusters(corpus)
    stance_path = labels_dir / STANCE_FILE
    if stance_path.exists():
        stories = {p.article_id(a.k): a.story_cluster for p, a in corpus.articles()}
        try:
            loaded = {p.doc_id for p in corpus.pages}
            skip = frozenset((raw_ids | set(label_files)) - loaded)
            corpus.stance = parse_stance(stance_path, stories, skip)
        except AnnotationError as err:
            corpus.refused.append(Refusal(str(stance_path), _reason(err, stance_path)))
    return corpus


_DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SUM_LINE = re.compile(r"([0-9a-f]{64}) [ *]([^/\\]+)")


def read_sums(sums: Path) -> tuple[list[tuple[int, str, str]] | None, list[Refusal]]:
    """The entries ``(line, sha256, file name)`` of a ``SHA256SUMS`` file (None when it
    cannot be read at all), and what is wrong with it, each problem named by file and line.
    Every reader of the list uses this one."""
    data = sums.read_bytes() if sums.is_file() else None
    if data is None:
        return None, [Refusal(str(sums), "is not a file")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return None, [Refusal(f"{sums}:{line}", f"not UTF-8 (byte {err.start})")]
    entries, problems = [], []
    listed: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _SUM_LINE.fullmatch(line.rstrip())
        if not m:
            problems.append(Refusal(
                f"{sums}:{n}", f"malformed line {line[:80]!r} (expected '<sha256>  <page>.txt')"))
            continue
        digest, name = m.group(1), m.group(2)
        stem = Path(name).stem
        if stem in listed:
            problems.append(Refusal(f"{sums}:{n}", f"{name} is listed twice (first on line "
                                                   f"{listed[stem]})"))
            continue
        listed[stem] = n
        entries.append((n, digest, name))
    return entries, problems


def _check_sums(raw_dir: Path, raw_ids: set[str], corpus: Corpus) -> None:
    """``SHA256SUMS`` lists every raw page with the sha256 of its bytes: a listed page
    missing from disk, a page whose bytes do not match its sum, and a page the list does
    not mention are each refused by name (names alone prove nothing about content)."""
    sums = raw_dir / "SHA256SUMS"
    if not sums.exists():
        return
    entries, problems = read_sums(sums)
    corpus.refused.extend(problems)
    if entries is None:
        return
    listed = set()
    for n, digest, name in entries:
        stem = Path(name).stem
        listed.add(stem)
        page = raw_dir / name
        if stem not in raw_ids or not page.is_file():
            corpus.refused.append(
                Refusal(f"{sums}:{n}", f"missing page: {name} is listed but not in {raw_dir}")
            )
            continue
        actual = sha256_bytes(page.read_bytes())
        if actual != digest:
            corpus.refused.append(Refusal(
                f"{sums}:{n}", f"{name}: the page's sha256 is {actual}, the list says {digest} "
                "(the page changed after it was added)"))
    for stem in sorted(raw_ids - listed):
        corpus.refused.append(Refusal(str(raw_dir / f"{stem}.txt"),
                                      f"not listed in {sums.name} (add pages with `presscut add`)"))


def _check_clusters(corpus: Corpus) -> None:
    """A dup_cluster (same text) can never span two stories."""
    story_of: dict[str, tuple[str, str]] = {}
    for page, a in corpus.articles():
        aid = page.article_id(a.k)
        if a.dup_cluster in story_of and story_of[a.dup_cluster][0] != a.story_cluster:
            other_story, other_id = story_of[a.dup_cluster]
            corpus.refused.append(
                Refusal(
                    f"corpus/labels/{page.doc_id}.yaml",
                    f"article {aid}: dup_cluster {a.dup_cluster!r} spans two stories "
                    f"({a.story_cluster!r} here, {other_story!r} at {other_id})",
                )
            )
        story_of.setdefault(a.dup_cluster, (a.story_cluster, aid))


def load_page(doc_id: str, root: Path | None = None) -> Page:
    """One page by doc id: its raw text and validated labels (the curation tools' entry)."""
    if not _DOC_ID.fullmatch(doc_id) or ".." in doc_id:
        # a doc id is a file name in corpus/raw, never a path (`show ../../x` read outside it)
        raise AnnotationError(f"{doc_id!r} is not a page id (a name like 005_0123456789abcdef)")
    raw_path = paths.raw_dir(root) / f"{doc_id}.txt"
    label_path = paths.labels_dir(root) / f"{doc_id}.yaml"
    if not raw_path.exists():
        raise AnnotationError(f"{raw_path}: no raw page {doc_id!r}")
    if not label_path.exists():
        raise AnnotationError(f"{label_path}: page {doc_id} has no annotation file yet")
    text, sha = read_raw(raw_path)
    page = parse_page(label_path, text, sha)
    page.source_file = f"corpus/raw/{raw_path.name}"
    return page


def require_clean(corpus: Corpus) -> None:
    """Raise one error listing every refusal (strict mode for validate/build)."""
    if corpus.refused:
        raise AnnotationError(
            f"{len(corpus.refused)} file(s) refused",
            [f"{r.file}: {r.reason}" for r in corpus.refused],
        )
