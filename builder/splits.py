"""Deterministic, leakage-aware, stable split assignment.

Pages are joined into leakage groups when they share an article (same
``dup_cluster``) or any sentence; a group never straddles splits. Pages already
in the committed manifest keep their split, so adding pages never moves an
earlier one; new groups go, in a fixed hash order, to whichever split is furthest
below its target share.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from presscut.annotations import Page
from presscut.errors import AnnotationError
from presscut.schema import SPLITS, is_blank

MANIFEST_VERSION = 1
TARGET_SHARE = {"train": 0.6, "validation": 0.2, "test": 0.2}
# Shorter "sentences" are widget tokens and stock phrases ("Comments", "TT"): tying
# pages together by them would merge every page of an outlet into one group.
MIN_SENTENCE_WORDS = 5

_SENTENCE_END = re.compile(r"(?<=[.!?…。”\"])\s+")
_WORD = re.compile(r"\w+", re.UNICODE)


def sentences(text: str) -> set[str]:
    """Normalised sentences of a text (casefolded words), at least MIN_SENTENCE_WORDS long."""
    out = set()
    for line in text.split("\n"):
        if is_blank(line):
            continue
        for sent in _SENTENCE_END.split(line.strip()):
            words = _WORD.findall(sent.casefold())
            if len(words) >= MIN_SENTENCE_WORDS:
                out.add(" ".join(words))
    return out


class UnionFind:
    def __init__(self, items):
        self.parent = {i: i for i in items}

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the smaller id names the group, so group keys do not depend on order
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def leakage_groups(pages: list[Page]) -> dict[str, str]:
    """doc_id → group key (the smallest doc_id in its group)."""
    uf = UnionFind(sorted(p.doc_id for p in pages))
    first_seen: dict[str, str] = {}
    for page in sorted(pages, key=lambda p: p.doc_id):
        keys = {f"dup:{a.dup_cluster}" for a in page.articles}
        keys |= {f"sent:{s}" for s in sentences(page.text)}
        for key in keys:
            if key in first_seen:
                uf.union(first_seen[key], page.doc_id)
            else:
                first_seen[key] = page.doc_id
    return {doc: uf.find(doc) for doc in uf.parent}


def _order_key(group: str) -> str:
    return hashlib.sha256(f"presscut-split-v1:{group}".encode()).hexdigest()


def assign_splits(pages: list[Page], previous: dict[str, str] | None = None) -> dict[str, str]:
    """doc_id → split, keeping every assignment in ``previous`` that still exists."""
    previous = previous or {}
    groups = leakage_groups(pages)
    members: dict[str, list[str]] = {}
    for doc, group in groups.items():
        members.setdefault(group, []).append(doc)

    out: dict[str, str] = {}
    counts = dict.fromkeys(SPLITS, 0)
    new_groups = []
    for group, docs in members.items():
        known = {previous[d] for d in docs if d in previous}
        if len(known) > 1:
            raise AnnotationError(
                "split leakage: pages that share an article or a sentence sit in different "
                f"splits in splits/manifest.json: {sorted((d, previous[d]) for d in docs if d in previous)}; "
                "move them to one split by hand (this changes a published split: say so in the changelog)"
            )
        if known:
            split = known.pop()
            for d in docs:
                out[d] = split
            counts[split] += len(docs)
        else:
            new_groups.append(group)

    total = len(groups)
    for group in sorted(new_groups, key=_order_key):
        docs = members[group]
        deficit = {s: TARGET_SHARE[s] * total - counts[s] for s in SPLITS}
        split = max(SPLITS, key=lambda s: (deficit[s], -SPLITS.index(s)))
        for d in docs:
            out[d] = split
        counts[split] += len(docs)
    return out


def read_manifest_doc(path: Path, what: str = "presscut split manifest") -> dict:
    """A split manifest (``splits/manifest.json``, ``splits/real/manifest.json``) with its
    ``pages`` object checked: page → a known split name. Empty when the file is absent."""
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        pages = doc["pages"]
        bad = {d: s for d, s in pages.items() if s not in SPLITS}
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as err:
        raise AnnotationError(f"{path}: not a {what} ({err})") from None
    if bad:
        raise AnnotationError(
            f"{path}: unknown split name(s)", [f"{d}: {s!r}" for d, s in bad.items()]
        )
    return doc


def read_manifest(path: Path) -> dict[str, str]:
    """Page → split of a split manifest."""
    return dict(read_manifest_doc(path).get("pages", {}))


def manifest_json(assignment: dict[str, str], groups: dict[str, str]) -> str:
    doc = {
        "version": MANIFEST_VERSION,
        "policy": (
            "pages sharing a dup_cluster or a sentence of >= "
            f"{MIN_SENTENCE_WORDS} words form one group; groups never straddle splits; "
            "pages keep their split once published; new groups go, in sha256 order, to the "
            f"split furthest below its target share {TARGET_SHARE}"
        ),
        "pages": dict(sorted(assignment.items())),
        "groups": dict(sorted(groups.items())),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
