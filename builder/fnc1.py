"""FNC-1 (Fake News Challenge, stage 1): the one reader of the official CSV files, and the
FNC-1 configs built from a user's copy of them.

Rows are kept exactly as the official scorer reads them: every row of a stances file is
one scored pair, in file order, repeats included (the official train file repeats 402
rows, the competition test 242; dropping them changes the maximum score, 11,651.25 over
25,413 test rows, and makes a figure incomparable with published ones). Repeats are
reported (``repeat_of_row``), never dropped.

The CSVs are read strictly: a quote left open at end of file (a download cut inside a
body) or a stray quote is an error naming the file and line, and so is a file that does
not end with a line break after its last record (an unquoted final record may be cut).

Configs (:func:`import_fnc1`), written to a folder laid out like a presscut checkout so
``load_dataset(folder, "stance")`` and the harness (``--root folder``) both read it:

* ``stance``: ``train`` / ``validation`` from ``train_*.csv``, split by body the way the
  official baseline builds its hold-out (``random.Random(1489215)`` shuffles the body ids
  in file order, the last 20 % are held out), and ``test`` from ``competition_test_*.csv``;
* ``articles``: every body once, with ``story_cluster`` from :func:`story_clusters`.

The FNC-1 repository states no licence and the bodies are news articles of many
outlets, so the data is never committed to presscut: the config is built on the user's
machine from their own copy.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from presscut.builder.importers import ImportFormat, register_format
from presscut.builder.parquet_stream import write_rows
from presscut.errors import PresscutError
from presscut.schema import (
    FNC1_ARTICLES_FEATURES,
    FNC1_STANCE_FEATURES,
    PROVENANCES,
    STANCE_SOURCES,
    STANCES,
    article_id,
)

SOURCE = "FNC-1 (Fake News Challenge stage 1), https://github.com/FakeNewsChallenge/fnc-1"
LICENSE = (
    "none stated: the FNC-1 repository has no licence file or terms; bodies are news "
    "articles of their outlets (via the Emergent dataset). Not redistributed by presscut."
)
STANCE_HEADER = ("Headline", "Body ID", "Stance")
BODIES_HEADER = ("Body ID", "articleBody")
PREFIXES = ("train", "competition_test")
SPLIT_OF_PREFIX = {"train": ("train", "validation"), "competition_test": ("test",)}
# fnc-1-baseline/utils/generate_test_splits.py: generate_hold_out_split
HOLDOUT_SEED = 1489215
TRAIN_SHARE = 0.8
# The official files, as published (git blob ids checked against the FNC-1 repository;
# train_stances.csv is byte-identical in Athlon07/Research_paper's zip).
OFFICIAL = {
    "train_stances.csv": {
        "sha256": "89d2e76db8ddb3a68d9dc7e572bc84c3cba7fb61827b3ee10925885245d7d167",
        "rows": 49972,
    },
    "train_bodies.csv": {
        "sha256": "f1960cf7aa6972a9308aedbd3b393ab773893604d7d323378b75f66112f0c27a",
        "rows": 1683,
    },
    "competition_test_stances.csv": {
        "sha256": "39d5c2572e61d2f65116fdd20183aeff533abaf26134078966c337e6a8ec3329",
        "rows": 25413,
    },
    "competition_test_bodies.csv": {
        "sha256": "60c9eeb15b904764d2e6512eaea31c6edf148206867284a281e11c29c9919046",
        "rows": 904,
    },
}
RELATED = frozenset(("agree", "disagree", "discuss"))


@dataclass(frozen=True)
class Pair:
    row: int  # 0-based data row of the stances file
    line: int  # 1-based line where the record starts
    headline: str
    body_id: int
    stance: str
    repeat_of: int  # row this one repeats (same headline, body and stance), -1 if none


@dataclass
class Fnc1File:
    """One official file pair (``<prefix>_stances.csv`` + ``<prefix>_bodies.csv``)."""

    prefix: str
    bodies: dict[int, str]  # in file order
    pairs: list[Pair]
    sha256: dict[str, str] = field(default_factory=dict)
    conflicting_repeats: int = 0

    @property
    def repeats(self) -> int:
        return sum(p.repeat_of >= 0 for p in self.pairs)

    def headline_ids(self) -> dict[str, int]:
        ids: dict[str, int] = {}
        for p in self.pairs:
            ids.setdefault(p.headline, len(ids))
        return ids


# ------------------------------------------------------------------ strict CSV
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_csv_strict(path: Path, header: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """(start line, fields) of every record after the header; any damage is an error."""
    path = Path(path)
    if not path.is_file():
        raise PresscutError(f"{path}: file not found")
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        if size:
            fh.seek(-1, 2)
            last = fh.read(1)
    if not size:
        raise PresscutError(f"{path}: empty file")
    if last not in (b"\n", b"\r"):
        raise PresscutError(
            f"{path}: no line break after the last record: the file looks cut "
            "(the official files end with one); fetch a complete copy"
        )
    line = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            got = next(reader, None)
            if got is None or tuple(got) != header:
                raise PresscutError(
                    f"{path}: line 1: header is {got}, expected {list(header)} (an FNC-1 file)"
                )
            line = reader.line_num + 1
            for rec in reader:
                if len(rec) != len(header):
                    raise PresscutError(
                        f"{path}: line {line}: {len(rec)} field(s), expected {len(header)} "
                        f"({', '.join(header)})"
                    )
                yield line, rec
                line = reader.line_num + 1
    except csv.Error as err:
        # strict mode: a quote open at end of file means the last record was cut
        raise PresscutError(
            f"{path}: record starting at line {line}: unreadable CSV ({err}); "
            "a quoted field left open at end of file means the file was cut"
        ) from None
    except UnicodeDecodeError as err:
        raise PresscutError(f"{path}: not UTF-8 (byte {err.start} of a chunk near line {line})") from None


def read_bodies(path: Path) -> dict[int, str]:
    bodies: dict[int, str] = {}
    for line, (bid, body) in read_csv_strict(path, BODIES_HEADER):
        if not bid.strip().isdigit():
            raise PresscutError(f"{path}: line {line}: Body ID {bid!r} is not a number")
        key = int(bid)
        if key in bodies:
            raise PresscutError(f"{path}: line {line}: Body ID {key} appears twice")
        bodies[key] = body
    if not bodies:
        raise PresscutError(f"{path}: no bodies")
    return bodies


def read_pairs(path: Path, bodies: dict[int, str], bodies_name: str = "bodies file"
               ) -> tuple[list[Pair], int]:
    """Every stances row, in order; returns the pairs and how many repeats disagree."""
    pairs: list[Pair] = []
    first: dict[tuple[str, int], tuple[int, str]] = {}
    conflicting = 0
    for line, (headline, bid, stance) in read_csv_strict(path, STANCE_HEADER):
        if not bid.strip().isdigit() or int(bid) not in bodies:
            raise PresscutError(f"{path}: line {line}: Body ID {bid!r} is not in {bodies_name}")
        if stance not in STANCES:
            raise PresscutError(
                f"{path}: line {line}: stance {stance!r} is not one of {list(STANCES)}"
            )
        if not headline.strip():
            raise PresscutError(f"{path}: line {line}: empty Headline")
        key = (headline, int(bid))
        repeat_of = -1
        if key in first:
            row0, stance0 = first[key]
            if stance0 == stance:
                repeat_of = row0
            else:
                # the official scorer scores both rows; keep them, count them
                conflicting += 1
        else:
            first[key] = (len(pairs), stance)
        pairs.append(Pair(len(pairs), line, headline, int(bid), stance, repeat_of))
    if not pairs:
        raise PresscutError(f"{path}: no stance rows")
    return pairs, conflicting


def read_fnc1(folder: Path, prefix: str = "train") -> Fnc1File:
    """Read ``<prefix>_stances.csv`` and ``<prefix>_bodies.csv`` from ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PresscutError(f"{folder}: expected a folder holding the FNC-1 CSV files")
    bodies_path = folder / f"{prefix}_bodies.csv"
    stances_path = folder / f"{prefix}_stances.csv"
    bodies = read_bodies(bodies_path)
    pairs, conflicting = read_pairs(stances_path, bodies, bodies_path.name)
    return Fnc1File(prefix, bodies, pairs,
                    {p.name: _sha256(p) for p in (stances_path, bodies_path)}, conflicting)


# ------------------------------------------------------------------ ids
def pair_id(prefix: str, row: int) -> str:
    """Row-based: repeated rows are distinct pairs, as the official scorer counts them."""
    return f"fnc1-{prefix}-{row}"


def body_article_id(prefix: str, body_id: int) -> str:
    return article_id(f"fnc1-{prefix}-body-{body_id}", 0)


def headline_article_id(prefix: str, index: int) -> str:
    return article_id(f"fnc1-{prefix}-headline-{index}", 0)


# ------------------------------------------------------------------ splits
def hold_out_split(body_ids: Iterable[int], seed: int = HOLDOUT_SEED,
                   train_share: float = TRAIN_SHARE) -> tuple[list[int], list[int]]:
    """(training, hold-out) body ids as the official baseline draws them: the ids in
    bodies-file order, shuffled by ``random.Random(seed)``, cut at ``train_share``."""
    ids = list(body_ids)
    random.Random(seed).shuffle(ids)
    cut = int(train_share * len(ids))
    return ids[:cut], ids[cut:]


def official_folds(training_ids: list[int], n_folds: int = 10) -> list[list[int]]:
    """The official baseline's k folds of the training body ids (contiguous slices)."""
    n = len(training_ids)
    return [training_ids[int(k * n / n_folds): int((k + 1) * n / n_folds)] for k in range(n_folds)]


# ------------------------------------------------------------------ stories
def story_clusters(pairs: Iterable[Pair], body_ids: Iterable[int]) -> dict[int, int]:
    """Body id → story number: connected components of the graph joining each body to
    the headlines it is *related* to (agree/disagree/discuss). FNC-1 made its related
    pairs from one Emergent claim's headlines and bodies and its unrelated pairs across
    claims, so two bodies related to one headline report one claim. A body with no
    related headline is a story of its own. Stories are numbered by their smallest body
    id's position in ``body_ids``."""
    order = list(body_ids)
    index = {b: i for i, b in enumerate(order)}
    heads: dict[str, int] = {}
    edges: list[tuple[int, int]] = []
    for p in pairs:
        if p.stance in RELATED:
            h = heads.setdefault(p.headline, len(heads))
            edges.append((index[p.body_id], len(order) + h))
    n = len(order) + len(heads)
    if edges:
        rows, cols = zip(*edges)
        graph = coo_matrix((np.ones(len(edges)), (rows, cols)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
    else:
        labels = np.arange(n)
    number: dict[int, int] = {}
    return {b: number.setdefault(int(labels[i]), len(number)) for i, b in enumerate(order)}


def bridge_report(pairs: Iterable[Pair], body_ids: Iterable[int]) -> dict:
    """How fragile the story rule is: related pairs whose removal alone would split a
    story into two parts of two or more bodies each (one mislabelled pair there would
    have merged two stories), and the story sizes."""
    import networkx as nx

    pairs = list(pairs)
    g = nx.Graph()
    for p in pairs:
        if p.stance in RELATED:
            g.add_edge(("b", p.body_id), ("h", p.headline))
    critical = 0
    for u, v in nx.bridges(g):
        g.remove_edge(u, v)
        sides = [sum(1 for x in nx.node_connected_component(g, w) if x[0] == "b") for w in (u, v)]
        g.add_edge(u, v)
        if min(sides) >= 2:
            critical += 1
    sizes = Counter(story_clusters(pairs, body_ids).values())
    return {"critical_bridges": critical, "stories": len(sizes),
            "largest_story": max(sizes.values()), "singleton_stories": sum(
                1 for s in sizes.values() if s == 1)}


# ------------------------------------------------------------------ rows
def _provenance() -> int:
    return PROVENANCES.index("imported")


def stance_rows(fnc: Fnc1File, keep_bodies: set[int] | None = None) -> Iterator[dict]:
    heads = fnc.headline_ids()
    annotated = STANCE_SOURCES.index("annotated")
    prov = _provenance()
    for p in fnc.pairs:
        if keep_bodies is not None and p.body_id not in keep_bodies:
            continue
        yield {
            "pair_id": pair_id(fnc.prefix, p.row),
            "headline_article_id": headline_article_id(fnc.prefix, heads[p.headline]),
            "body_article_id": body_article_id(fnc.prefix, p.body_id),
            "headline": p.headline,
            "body": fnc.bodies[p.body_id],
            "stance": STANCES.index(p.stance),
            "label_source": annotated,
            "provenance": prov,
            "note": (f"repeats row {p.repeat_of} of {fnc.prefix}_stances.csv"
                     if p.repeat_of >= 0 else ""),
            "fnc1_file": f"{fnc.prefix}_stances.csv",
            "fnc1_row": p.row,
            "fnc1_body_id": p.body_id,
            "repeat_of_row": p.repeat_of,
            "source": SOURCE,
            "license": LICENSE,
        }


def article_rows(fnc: Fnc1File, keep_bodies: set[int] | None = None) -> Iterator[dict]:
    stories = story_clusters(fnc.pairs, fnc.bodies)
    related = Counter(p.body_id for p in fnc.pairs if p.stance in RELATED)
    first_body = {}
    for b, s in stories.items():
        first_body.setdefault(s, b)
    prov = _provenance()
    for bid, body in fnc.bodies.items():
        if keep_bodies is not None and bid not in keep_bodies:
            continue
        aid = body_article_id(fnc.prefix, bid)
        yield {
            "article_id": aid,
            "doc_id": aid.rsplit("/", 1)[0],
            "k": 0,
            # FNC-1 bodies come without their own headline
            "title": "",
            "body": body,
            "start_line": 0, "end_line": len(body.split("\n")),
            "start_char": 0, "end_char": len(body),
            "dup_cluster": None,  # not annotated in FNC-1
            "story_cluster": f"fnc1-{fnc.prefix}-story-{first_body[stories[bid]]}",
            "byline": None,
            "cited_sources": [],
            "outlet": None,
            "provenance": prov,
            "note": "",
            "fnc1_body_id": bid,
            "related_headlines": related[bid],
            "source": SOURCE,
            "license": LICENSE,
        }


# ------------------------------------------------------------------ config
CONFIG_CARD = """---
configs:
- config_name: stance
  data_files:
{stance_files}
- config_name: articles
  data_files:
{article_files}
license: other
---
# FNC-1 for presscut (built locally, not redistributed)

Built by `presscut import fnc1` from a copy of the official FNC-1 files
({source}). Licence: {license}

- `stance`: one row per row of the official stances files, in file order, repeats kept
  (`repeat_of_row`, `note`); `train`/`validation` split by body as the official
  baseline's hold-out (seed {seed}, {share:.0%} of bodies for training), `test` the
  competition test.
- `articles`: every body once; `story_cluster` joins bodies related
  (agree/disagree/discuss) to a shared headline (connected components).

`manifest.json` holds the input files' sha256, row counts, repeats and the split's body ids.
"""


def _files_yaml(splits: list[str], config: str) -> str:
    return "\n".join(f"  - split: {s}\n    path: splits/{config}/{s}.parquet" for s in splits)


def import_fnc1(folder: Path, out: Path, *, batch_size: int = 2000) -> dict:
    """Build the FNC-1 configs in ``out`` from the official files in ``folder``.

    ``train_*.csv`` are required, ``competition_test_*.csv`` are used when present.
    Everything is written to a temporary folder and moved into place at the end.
    """
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise PresscutError(f"{folder}: expected a folder holding the FNC-1 CSV files")
    files = {"train": read_fnc1(folder, "train")}
    if (folder / "competition_test_stances.csv").exists() or (
            folder / "competition_test_bodies.csv").exists():
        files["competition_test"] = read_fnc1(folder, "competition_test")
    train_ids, hold_ids = hold_out_split(files["train"].bodies)
    by_split = {
        "train": (files["train"], set(train_ids)),
        "validation": (files["train"], set(hold_ids)),
    }
    if "competition_test" in files:
        by_split["test"] = (files["competition_test"], None)
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    report: dict = {"format": "fnc1", "input": str(folder), "output": str(out), "splits": {}}
    try:
        for split, (fnc, keep) in by_split.items():
            n = write_rows(tmp / "splits" / "stance" / f"{split}.parquet", FNC1_STANCE_FEATURES,
                           stance_rows(fnc, keep), batch_size=batch_size)
            m = write_rows(tmp / "splits" / "articles" / f"{split}.parquet",
                           FNC1_ARTICLES_FEATURES, article_rows(fnc, keep), batch_size=batch_size)
            rows = [p for p in fnc.pairs if keep is None or p.body_id in keep]
            labels = Counter(p.stance for p in rows)
            report["splits"][split] = {
                "pairs": n, "bodies": m,
                "repeated_rows": sum(p.repeat_of >= 0 for p in rows),
                "labels": {s: labels.get(s, 0) for s in STANCES},
                "max_score": max_score([p.stance for p in rows]),
            }
        manifest = {
            "source": SOURCE,
            "license": LICENSE,
            "files": {},
            "hold_out": {"seed": HOLDOUT_SEED, "train_share": TRAIN_SHARE,
                         "training_body_ids": train_ids, "hold_out_body_ids": hold_ids},
            "splits": report["splits"],
        }
        for prefix, fnc in files.items():
            for name, sha in fnc.sha256.items():
                official = OFFICIAL.get(name, {})
                manifest["files"][name] = {"sha256": sha, "official": sha == official.get("sha256")}
            manifest["files"][f"{prefix}_stances.csv"].update(
                rows=len(fnc.pairs), repeated_rows=fnc.repeats,
                conflicting_repeats=fnc.conflicting_repeats, headlines=len(fnc.headline_ids()))
            manifest["files"][f"{prefix}_bodies.csv"]["rows"] = len(fnc.bodies)
            manifest["stories_" + prefix] = bridge_report(fnc.pairs, fnc.bodies)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        (tmp / "README.md").write_text(CONFIG_CARD.format(
            stance_files=_files_yaml(list(by_split), "stance"),
            article_files=_files_yaml(list(by_split), "articles"),
            source=SOURCE, license=LICENSE, seed=HOLDOUT_SEED, share=TRAIN_SHARE,
        ), encoding="utf-8")
        if out.exists():
            old = out.with_name(out.name + ".old")
            if old.exists():
                shutil.rmtree(old)
            out.replace(old)
            tmp.replace(out)
            shutil.rmtree(old)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp.replace(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    report["files"] = manifest["files"]
    report["not_official"] = sorted(k for k, v in manifest["files"].items() if not v["official"])
    report["stories"] = {k: v for k, v in manifest.items() if k.startswith("stories_")}
    report["records"] = sum(s["pairs"] for s in report["splits"].values())
    report["summary"] = summary_lines(report)
    return report


def summary_lines(report: dict) -> list[str]:
    """What a person needs to see after an import: rows, repeats, maxima, stories, checks."""
    lines = []
    for split, s in report["splits"].items():
        lines.append(f"  {split}: {s['pairs']} pairs ({s['repeated_rows']} repeated rows kept), "
                     f"{s['bodies']} bodies, max FNC score {s['max_score']:.2f}")
    for key, s in report["stories"].items():
        lines.append(f"  stories ({key.removeprefix('stories_')}): {s['stories']}, largest "
                     f"{s['largest_story']} bodies, {s['critical_bridges']} single-pair bridge(s)")
    if report["not_official"]:
        lines.append("  not the official files (sha256 differs): "
                     + ", ".join(report["not_official"]) + "; scores are not comparable "
                     "with published FNC-1 figures")
    return lines


def official_stats(folder: Path) -> dict:
    """Statistics of the official files without their text (committed as a test fixture
    so CI checks split and score parity without the data): train Body IDs in file order,
    per-body stance counts, competition-test label counts, repeats."""
    train, test = read_fnc1(folder, "train"), read_fnc1(folder, "competition_test")
    by_body = {b: [0] * len(STANCES) for b in train.bodies}
    for p in train.pairs:
        by_body[p.body_id][STANCES.index(p.stance)] += 1
    counts = Counter(p.stance for p in test.pairs)
    return {
        "about": "Statistics of the official FNC-1 files, no text; written by "
                 "presscut.builder.fnc1.official_stats.",
        "stances": list(STANCES),
        "train_body_ids": list(train.bodies),
        "train_label_counts_by_body": [by_body[b] for b in train.bodies],
        "competition_test_label_counts": [counts[s] for s in STANCES],
        "repeated_rows": {"train": train.repeats, "competition_test": test.repeats},
    }


def _write_format(path: Path, target: Path, report: dict, options: dict) -> int:
    report.update(import_fnc1(path, target, batch_size=options.get("batch_size", 2000)))
    return report["records"]


# -o names the config folder itself (no default file name inside it)
register_format(ImportFormat(
    "fnc1", "a folder with the official FNC-1 CSVs (train_*.csv; competition_test_*.csv "
    "for the test split) -> a folder of FNC-1 configs", "", _write_format))


# ------------------------------------------------------------------ score
def max_score(gold: Iterable[str]) -> float:
    """The official scorer's maximum: 0.25 per unrelated row, 1.0 per related row."""
    return sum(0.25 if g == "unrelated" else 1.0 for g in gold)


def read_config(out: Path, config: str, split: str, columns: list[str] | None = None) -> list[dict]:
    """Rows of one split of a config that :func:`import_fnc1` wrote."""
    import pyarrow.parquet as pq

    path = Path(out) / "splits" / config / f"{split}.parquet"
    if not path.is_file():
        raise PresscutError(
            f"{path}: no FNC-1 {config} {split} split; build it with "
            "`presscut import fnc1 <folder of the official CSVs> -o <folder>`"
        )
    return pq.read_table(path, columns=columns).to_pylist()
