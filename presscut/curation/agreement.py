"""``presscut agreement``: how far two annotators agree on the same pages.

Both label folders are parsed against the same raw pages, so blank lines
coincide and only the labels can differ. Articles are paired across the two
sets by span overlap (Jaccard over content lines > 0.5, which pairs each
article with at most one partner) because the two annotators may number them
differently.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import adjusted_rand_score, cohen_kappa_score

from presscut import paths
from presscut.annotations import Article, Page, parse_page, read_raw
from presscut.builder.corpus import STANCE_FILE
from presscut.errors import AnnotationError
from presscut.harness.metrics import match_count
from presscut.schema import SCORED_ROLES, is_blank


@dataclass
class BoundaryCounts:
    matched: int = 0
    n_a: int = 0
    n_b: int = 0

    def f1(self) -> float:
        if self.n_a == 0 and self.n_b == 0:
            return 1.0  # neither annotator marked a boundary: they agree
        return 2 * self.matched / (self.n_a + self.n_b)


def load_label_dir(label_dir: Path, raw_dir: Path) -> dict[str, Page]:
    """Every ``<doc_id>.yaml`` in ``label_dir`` parsed against ``raw_dir/<doc_id>.txt``."""
    if not label_dir.is_dir():
        raise AnnotationError(f"{label_dir}: not a folder of annotation files")
    pages: dict[str, Page] = {}
    problems: list[str] = []
    for path in sorted(label_dir.glob("*.yaml")):
        if path.name == STANCE_FILE:
            continue
        raw_path = raw_dir / f"{path.stem}.txt"
        if not raw_path.exists():
            problems.append(f"{path}: no raw page {raw_path}")
            continue
        try:
            text, sha = read_raw(raw_path)
            pages[path.stem] = parse_page(path, text, sha)
        except AnnotationError as err:
            problems.append(err.render(limit=5))
    if problems:
        raise AnnotationError(f"{label_dir}: {len(problems)} file(s) do not load", problems)
    return pages


def kappa(a: list[str], b: list[str]) -> float:
    """Cohen's kappa; 1.0 for identical labellings even when chance agreement is total."""
    if a == b:
        # sklearn returns nan when both use one label only (0/0); identical is full agreement
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(cohen_kappa_score(a, b, labels=list(SCORED_ROLES)))
    return 0.0 if math.isnan(value) else value


def _boundaries(page: Page) -> tuple[list[int], list[int]]:
    """First and last content lines of every article (starts match starts, ends ends)."""
    return [a.start_line for a in page.articles], [a.end_line - 1 for a in page.articles]


def _match(ba, bb, position: dict[int, int], tol: int) -> BoundaryCounts:
    return BoundaryCounts(
        sum(match_boundaries(x, y, position, tol) for x, y in zip(ba, bb)),
        sum(map(len, ba)),
        sum(map(len, bb)),
    )


def match_boundaries(a: list[int], b: list[int], position: dict[int, int], tol: int) -> int:
    """One-to-one matches between two boundary lists within ``tol`` non-blank lines."""
    return match_count(sorted(position[i] for i in a), sorted(position[i] for i in b), tol)


def _content(page: Page, a: Article) -> set[int]:
    return {i for i in range(a.start_line, a.end_line) if page.roles[i] != "blank"}


def pair_articles(pa: Page, pb: Page) -> list[tuple[Article, Article]]:
    pairs = []
    for a in pa.articles:
        ca = _content(pa, a)
        for b in pb.articles:
            cb = _content(pb, b)
            if ca and cb and len(ca & cb) / len(ca | cb) > 0.5:
                pairs.append((a, b))
                break
    return pairs


def agreement(a_dir: Path, b_dir: Path, raw_dir: Path | None = None) -> dict:
    """Role kappa, boundary F1 (exact, ±1 non-blank line), cluster ARI between two label sets."""
    raw_dir = raw_dir or paths.raw_dir()
    set_a, set_b = load_label_dir(a_dir, raw_dir), load_label_dir(b_dir, raw_dir)
    common = sorted(set(set_a) & set(set_b))
    if not common:
        raise AnnotationError(f"{a_dir} and {b_dir} share no annotated page")

    roles_a: list[str] = []
    roles_b: list[str] = []
    exact, near = BoundaryCounts(), BoundaryCounts()
    dup_a, dup_b, story_a, story_b = [], [], [], []
    n_articles_a = n_articles_b = 0
    per_page = []
    for doc_id in common:
        pa, pb = set_a[doc_id], set_b[doc_id]
        lines = pa.lines
        content = [i for i, line in enumerate(lines) if not is_blank(line)]
        ra = [pa.roles[i] for i in content]
        rb = [pb.roles[i] for i in content]
        roles_a += ra
        roles_b += rb
        position = {i: k for k, i in enumerate(content)}
        ba, bb = _boundaries(pa), _boundaries(pb)
        for counts, tol in ((exact, 0), (near, 1)):
            page_counts = _match(ba, bb, position, tol)
            counts.matched += page_counts.matched
            counts.n_a += page_counts.n_a
            counts.n_b += page_counts.n_b
        pairs = pair_articles(pa, pb)
        n_articles_a += len(pa.articles)
        n_articles_b += len(pb.articles)
        for a, b in pairs:
            dup_a.append(a.dup_cluster)
            dup_b.append(b.dup_cluster)
            story_a.append(a.story_cluster)
            story_b.append(b.story_cluster)
        page_exact = _match(ba, bb, position, 0)
        per_page.append(
            {
                "doc_id": doc_id,
                "n_lines": len(content),
                "role_agreement": sum(x == y for x, y in zip(ra, rb)) / max(1, len(ra)),
                "role_kappa": kappa(ra, rb),
                "boundary_f1": page_exact.f1(),
                "articles": [len(pa.articles), len(pb.articles)],
                "paired_articles": len(pairs),
            }
        )

    def ari(x: list[str], y: list[str]) -> float | None:
        return float(adjusted_rand_score(x, y)) if x else None

    return {
        "a": str(a_dir),
        "b": str(b_dir),
        "n_pages": len(common),
        "only_in_a": sorted(set(set_a) - set(set_b)),
        "only_in_b": sorted(set(set_b) - set(set_a)),
        "n_lines": len(roles_a),
        "role_kappa": kappa(roles_a, roles_b),
        "role_agreement": sum(x == y for x, y in zip(roles_a, roles_b)) / max(1, len(roles_a)),
        "boundary_f1_exact": exact.f1(),
        "boundary_f1_within_1": near.f1(),
        "n_articles": [n_articles_a, n_articles_b],
        "n_paired_articles": len(dup_a),
        "dup_cluster_ari": ari(dup_a, dup_b),
        "story_cluster_ari": ari(story_a, story_b),
        "per_page": per_page,
    }
