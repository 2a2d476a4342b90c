"""Inputs and labels for the collection baselines, read from the built Parquet.

Every reader returns the baseline's input dicts plus the labels in the same order,
streaming record batches. ``data="synthetic"`` reads the generator's pages and
cuts their articles out with the role labels (title = first title line, body =
the body lines joined by "\\n", as the gold builder does).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow.parquet as pq

from presscut import paths
from presscut.errors import PresscutError
from presscut.schema import ROLES, SPLITS, STANCES


def _files(config: str, splits: Iterable[str], root: Path | None) -> list[Path]:
    splits = list(splits)
    bad = [s for s in splits if s not in SPLITS]
    if bad:
        raise PresscutError(f"unknown split(s) {bad}; splits: {list(SPLITS)}")
    files = [paths.splits_dir(root) / config / f"{s}.parquet" for s in splits]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise PresscutError(f"no built {config} data: run `presscut build` first", missing)
    return files


def _rows(files: list[Path], columns: list[str]) -> Iterator[dict]:
    for f in files:
        for batch in pq.ParquetFile(f).iter_batches(columns=columns, batch_size=1024):
            yield from batch.to_pylist()


def _name(value, names: tuple[str, ...]):
    return names[value] if isinstance(value, int) else value


def read_articles(root: Path | None = None, data: str = "gold",
                  splits: Iterable[str] = SPLITS) -> tuple[list[dict], list[str], list[str]]:
    """Articles ``{"article_id", "title", "body"}``, their dup clusters and story clusters."""
    arts: list[dict] = []
    dup: list[str] = []
    story: list[str] = []
    if data == "gold":
        for r in _rows(_files("articles", splits, root),
                       ["article_id", "title", "body", "dup_cluster", "story_cluster"]):
            arts.append({"article_id": r["article_id"], "title": r["title"], "body": r["body"]})
            dup.append(r["dup_cluster"])
            story.append(r["story_cluster"])
    elif data == "synthetic":
        cols = ["lines", "roles", "articles", "article_ids", "dup_clusters", "story_clusters"]
        for r in _rows(_files("synthetic", splits, root), cols):
            roles = [_name(x, ROLES) for x in r["roles"]]
            for aid, span, d, s in zip(r["article_ids"], r["articles"], r["dup_clusters"],
                                       r["story_clusters"]):
                idx = range(span["start_line"], span["end_line"])
                title = next((r["lines"][i].strip() for i in idx if roles[i] == "title"), "")
                body = "\n".join(r["lines"][i] for i in idx if roles[i] == "body")
                arts.append({"article_id": aid, "title": title, "body": body})
                dup.append(d)
                story.append(s)
    else:
        raise PresscutError(f"unknown data {data!r}; use 'gold' or 'synthetic'")
    return arts, dup, story


def read_stance_pairs(root: Path | None = None,
                      splits: Iterable[str] = ("train",)) -> tuple[list[dict], list[str]]:
    """Stance pairs ``{"pair_id", "headline", "body"}`` and their stances."""
    pairs, labels = [], []
    for r in _rows(_files("stance", splits, root), ["pair_id", "headline", "body", "stance"]):
        pairs.append({"pair_id": r["pair_id"], "headline": r["headline"], "body": r["body"]})
        labels.append(_name(r["stance"], STANCES))
    return pairs, labels


def read_pages(root: Path | None = None,
               splits: Iterable[str] = ("train",)) -> tuple[list[dict], list[str | None]]:
    """Pages ``{"doc_id", "text"}`` and their outlets (None where the page does not show one)."""
    pages, outlets = [], []
    for r in _rows(_files("pages", splits, root), ["doc_id", "text", "outlet"]):
        pages.append({"doc_id": r["doc_id"], "text": r["text"]})
        outlets.append(r["outlet"] or None)
    return pages, outlets
