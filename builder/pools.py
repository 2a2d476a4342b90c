"""Material the synthetic generator composes pages from: clean articles and boilerplate.

Four sources feed a :class:`Pools`:

* the **real train pages** (``splits/real/train.parquet``; the default): one clean article
  per leakage group (its body lines, its title) and its boilerplate as blocks of
  consecutive lines, filed by where they sat on the page (above, inside, below the article);
* the train/validation gold pages: their articles and their boilerplate lines;
* the built-in pool shipped in ``builder/data/`` (original text written for presscut; a test
  fixture and an option, used by default only where there is no real train split);
* clean-article JSONL files (format in ``docs/pools.md``), e.g. from ``presscut import
  jsonl-articles``.

Every article and boilerplate block keeps its ``origin`` (``real:<doc_id>``,
``gold:<doc_id>``, ``presscut:builtin`` …) and :attr:`Pools.licences` maps each origin to
its licence, so a synthetic page can say whose text it contains.

Test pages never feed a pool: a page enters only when ``splits/manifest.json`` puts it
in train or validation, and any pool text that also occurs on a test page is dropped
(boilerplate is site-wide, so a line learned from a train page can sit on a test page too).

What the build's generator learns from gold is **pinned** (``corpus/synth_inputs.json``,
versioned): the pages it reads and the test pages it keeps out, each with the sha256 of its
raw page and of its label file. Adding a gold page therefore never moves a synthetic page;
taking new pages in is an explicit step (``presscut build --repin-synthetic``) that bumps the
pin's version and regenerates the synthetic config. A pinned page whose text or labels
changed is an error until the pin is renewed. The real split is pinned the same way (the
sha256 of its train, validation and test Parquet files: train is read, validation and test
are kept out line by line).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from presscut import paths
from presscut.builder.splits import read_manifest as read_manifest_file
from presscut.errors import PresscutError

DATA_DIR = Path(__file__).parent / "data"
BUILTIN_ARTICLES = DATA_DIR / "articles.jsonl"
BUILTIN_BOILERPLATE = DATA_DIR / "boilerplate.json"
PIN_NAME = "synth_inputs.json"  # in the corpus folder, beside raw/ and labels/

# Kinds of boilerplate the generator places at specific spots of a page.
BOILERPLATE_KINDS: tuple[str, ...] = (
    "breadcrumbs",
    "print_tools",
    "widget_tokens",
    "counters",
    "related",
    "donation_appeal",
    "comment_widget",
    "newsletter",
    "footer",
    "learned",
)

_OPTIONAL_TEXT = ("dek", "byline", "dateline", "story")
GOLD_PREFIX = "gold:"  # ids and story keys of articles taken from gold pages
REAL_PREFIX = "real:"  # ids, origins and story keys of text taken from real pages
REAL_CONFIG = "real"
PRESSCUT_ORIGIN = "presscut:builtin"
# the generator's own text (layouts, fillers, generated datelines, the built-in pool)
PRESSCUT_LICENCE = "MIT (presscut: generated layout and filler text, built-in pool)"
GOLD_LICENCE = ("publisher's copyright (presscut gold page, included for research; "
                "labels CC BY 4.0)")

# Real articles are cut to what one page of a news site shows: the whole body would make
# the committed config several times larger and every synthetic score slower, for text
# the real config already holds in full.
MAX_REAL_CHARS = 3000
MAX_REAL_PARAGRAPHS = 20
# a real page's title where its source labels none: a short first body line without
# terminal punctuation (a headline), followed by at least this many body lines
TITLE_MAX_WORDS = 15
MIN_BODY_AFTER_TITLE = 2
_TERMINAL = tuple(".!?;:,…\"”’'")
# ... and is not a date, a time or a byline, which open many bodies too
_NOT_HEADLINE = re.compile(
    r"^(?:by|posted|published|updated|written)\b|\d{1,2}:\d{2}|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d|"
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.IGNORECASE,
)
MAX_BLOCK_LINES = 12  # a longer run of boilerplate (a site menu) is cut into blocks
# where a real boilerplate run sat -> the generator's kinds it stands in for
REAL_KINDS = {
    "top": ("breadcrumbs", "print_tools"),
    "inside": ("related", "counters", "donation_appeal"),
    "bottom": ("comment_widget", "footer", "newsletter"),
}
WIDGET_MAX_WORDS = 3  # single short boilerplate lines also serve as widget tokens


class Block(tuple):
    """A boilerplate block (lines printed together) and the page it was taken from.
    Equality is the lines' only: the same menu on two pages is one block."""

    origin: str

    def __new__(cls, lines, origin: str = PRESSCUT_ORIGIN):
        block = super().__new__(cls, lines)
        block.origin = origin
        return block


def origin_of(block) -> str:
    return getattr(block, "origin", PRESSCUT_ORIGIN)


@dataclass(frozen=True)
class CleanArticle:
    id: str
    title: str
    paragraphs: tuple[str, ...]
    dek: str | None = None
    byline: str | None = None
    dateline: str | None = None
    captions: tuple[str, ...] = ()
    story: str | None = None
    origin: str = PRESSCUT_ORIGIN  # the page (or pool) its text comes from

    @property
    def story_key(self) -> str:
        """Articles without a story are their own story."""
        return self.story or f"article:{self.id}"

    def to_json(self) -> dict:
        out: dict = {"id": self.id, "title": self.title}
        for key in ("dek", "byline", "dateline"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.captions:
            out["captions"] = list(self.captions)
        out["paragraphs"] = list(self.paragraphs)
        if self.story:
            out["story"] = self.story
        return out


@dataclass
class Pools:
    articles: list[CleanArticle] = field(default_factory=list)
    # kind -> entries; an entry is a block of lines printed together
    boilerplate: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)  # what went in, for the build report
    licences: dict[str, str] = field(default_factory=lambda: {PRESSCUT_ORIGIN: PRESSCUT_LICENCE})
    # origin -> story key, for origins that give boilerplate: a real page's blocks are dealt
    # to the synthetic split its story is dealt to
    story_of: dict[str, str] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)  # real pages per title rule, for docs

    def blocks(self, kind: str) -> list[tuple[str, ...]]:
        return self.boilerplate.get(kind, [])

    def drop(self, lines: set[str]) -> int:
        """Remove every text in ``lines`` (normalised) wherever it is: paragraphs, captions,
        block lines; an article whose title or every paragraph goes goes with it. Returns
        how many texts were removed."""
        removed = 0
        kept_articles = []
        for a in self.articles:
            paras = tuple(p for p in a.paragraphs if _norm(p) not in lines)
            caps = tuple(c for c in a.captions if _norm(c) not in lines)
            singles = {k: getattr(a, k) for k in ("dek", "byline", "dateline")}
            singles = {k: (None if v and _norm(v) in lines else v) for k, v in singles.items()}
            gone = (len(a.paragraphs) - len(paras) + len(a.captions) - len(caps)
                    + sum(1 for k, v in singles.items() if v != getattr(a, k)))
            removed += gone
            if _norm(a.title) in lines or not paras:
                removed += 1
                continue
            kept_articles.append(a if not gone else replace(a, paragraphs=paras, captions=caps,
                                                            **singles))
        self.articles = kept_articles
        for kind, blocks in self.boilerplate.items():
            out = []
            for b in blocks:
                kept = tuple(t for t in b if _norm(t) not in lines)
                removed += len(b) - len(kept)
                if kept:
                    out.append(b if len(kept) == len(b) else Block(kept, origin_of(b)))
            self.boilerplate[kind] = out
        return removed

    def extend(self, other: Pools) -> None:
        seen = {a.id for a in self.articles}
        for a in other.articles:
            if a.id in seen:
                raise PresscutError(
                    f"article id {a.id!r} is in two pools ({', '.join(other.sources)})"
                )
            seen.add(a.id)
            self.articles.append(a)
        for kind, blocks in other.boilerplate.items():
            mine = self.boilerplate.setdefault(kind, [])
            have = set(mine)
            mine.extend(b for b in blocks if b not in have)
        self.sources.extend(other.sources)
        self.licences.update(other.licences)
        self.story_of.update(other.story_of)
        for k, v in other.kept.items():
            self.kept[k] = self.kept.get(k, 0) + v


# ------------------------------------------------------------------ articles
def _text(value, where: str, key: str, problems: list[str], required: bool) -> str | None:
    if value is None:
        if required:
            problems.append(f"{where}: missing {key!r}")
        return None
    if not isinstance(value, str) or "\n" in value or not value.strip():
        problems.append(f"{where}: {key!r} must be one non-empty line of text, got {value!r:.60}")
        return None
    return value.strip()


def article_from_json(obj, where: str) -> CleanArticle:
    """Validate one clean-article record; every problem names ``where`` and the field."""
    if not isinstance(obj, dict):
        raise PresscutError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    problems: list[str] = []
    unknown = sorted(set(obj) - {"id", "title", "paragraphs", "captions", *_OPTIONAL_TEXT})
    if unknown:
        problems.append(f"{where}: unknown field(s) {unknown}")
    aid = obj.get("id")
    if isinstance(aid, int) and not isinstance(aid, bool):
        aid = str(aid)
    if not isinstance(aid, str) or not aid.strip():
        problems.append(f"{where}: 'id' must be a non-empty string")
    title = _text(obj.get("title"), where, "title", problems, required=True)
    optional = {k: _text(obj.get(k), where, k, problems, required=False) for k in _OPTIONAL_TEXT}
    paras = obj.get("paragraphs")
    paragraphs: list[str] = []
    if not isinstance(paras, list) or not paras:
        problems.append(f"{where}: 'paragraphs' must be a non-empty list of strings")
    else:
        for j, p in enumerate(paras):
            t = _text(p, where, f"paragraphs[{j}]", problems, required=True)
            if t:
                paragraphs.append(t)
    caps = obj.get("captions") or []
    captions: list[str] = []
    if not isinstance(caps, list):
        problems.append(f"{where}: 'captions' must be a list of strings")
    else:
        for j, c in enumerate(caps):
            t = _text(c, where, f"captions[{j}]", problems, required=True)
            if t:
                captions.append(t)
    if problems:
        raise PresscutError(f"{where}: invalid clean article", problems)
    return CleanArticle(
        id=aid.strip(),
        title=title,
        paragraphs=tuple(paragraphs),
        captions=tuple(captions),
        **optional,
    )


def read_article_jsonl(path: Path) -> Iterable[CleanArticle]:
    """Stream clean articles from a JSONL file, refusing a bad line by file and line number."""
    path = Path(path)
    if not path.is_file():
        raise PresscutError(f"{path}: clean-article pool not found")
    seen: set[str] = set()
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            where = f"{path}:{n}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise PresscutError(f"{where}: not UTF-8 (column {err.start + 1})") from None
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise PresscutError(
                    f"{where}: not valid JSON ({err.msg}, column {err.colno})"
                ) from None
            except ValueError as err:  # e.g. an integer of more than 4,300 digits
                raise PresscutError(f"{where}: not valid JSON ({str(err)[:120]})") from None
            except RecursionError:
                raise PresscutError(f"{where}: JSON nested too deeply") from None
            art = article_from_json(obj, where)
            if art.id in seen:
                raise PresscutError(f"{where}: article id {art.id!r} appears twice in the file")
            seen.add(art.id)
            yield art


def load_article_pool(path: Path, origin: str | None = None,
                      licence: str | None = None) -> Pools:
    origin = origin or f"pool:{Path(path).name}"
    arts = [replace(a, origin=origin) for a in read_article_jsonl(path)]
    return Pools(articles=arts, sources=[str(path)],
                 licences={origin: licence or f"not recorded (clean-article pool {path})"})


def load_boilerplate_json(path: Path) -> dict[str, list[tuple[str, ...]]]:
    """``{kind: [line or [lines...], ...]}``; a list entry is a block printed together."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise PresscutError(f"{path}: cannot read boilerplate pool ({err})") from None
    out: dict[str, list[tuple[str, ...]]] = {}
    for kind, entries in doc.items():
        if kind not in BOILERPLATE_KINDS:
            raise PresscutError(
                f"{path}: unknown boilerplate kind {kind!r} ({', '.join(BOILERPLATE_KINDS)})"
            )
        out[kind] = [Block(e if isinstance(e, list) else (e,)) for e in entries]
    return out


def builtin_pools() -> Pools:
    pools = load_article_pool(BUILTIN_ARTICLES, PRESSCUT_ORIGIN, PRESSCUT_LICENCE)
    pools.boilerplate = load_boilerplate_json(BUILTIN_BOILERPLATE)
    pools.sources = ["builtin"]
    return pools


# ------------------------------------------------------------------ gold
def _norm(line: str) -> str:
    return " ".join(line.split())


def read_manifest(root: Path | None = None) -> dict[str, str]:
    """Page → split from ``splits/manifest.json`` (empty when the build has not run yet)."""
    return read_manifest_file(paths.splits_dir(root) / "manifest.json")


def gold_pools(pages, manifest: dict[str, str]) -> Pools:
    """Articles and boilerplate lines of the train/validation pages among ``pages``.

    ``pages`` are annotated :class:`presscut.annotations.Page` objects; a page the manifest
    does not place in train or validation is never read for text, only for exclusion.
    """
    allowed = [p for p in pages if manifest.get(p.doc_id) in ("train", "validation")]
    allowed_ids = {p.doc_id for p in allowed}
    # every line of every other page (test, or not in the manifest) is off-limits
    forbidden = {
        _norm(line)
        for p in pages
        if p.doc_id not in allowed_ids
        for line in p.lines
        if line.strip()
    }

    articles: list[CleanArticle] = []
    seen_dup: set[str] = set()
    learned: list[tuple[str, ...]] = []
    seen_lines: set[str] = set()
    for page in allowed:
        lines = page.lines
        for a in page.articles:
            # one pool article per dup cluster: copies would only bias the sampling
            if a.dup_cluster in seen_dup:
                continue
            got = {r: [] for r in ("title", "dek", "byline", "dateline", "caption", "body")}
            for i in range(a.start_line, a.end_line):
                role = page.roles[i]
                text = _norm(lines[i])
                if role in got and text and text not in forbidden and text not in got[role]:
                    got[role].append(text)
            if not got["body"] or not got["title"]:
                continue
            seen_dup.add(a.dup_cluster)
            articles.append(
                CleanArticle(
                    id=f"{GOLD_PREFIX}{page.article_id(a.k)}",
                    title=got["title"][0],
                    dek=got["dek"][0] if got["dek"] else None,
                    byline=got["byline"][0] if got["byline"] else None,
                    dateline=got["dateline"][0] if got["dateline"] else None,
                    captions=tuple(got["caption"][:3]),
                    paragraphs=tuple(got["body"]),
                    story=f"{GOLD_PREFIX}{a.story_cluster}",
                    origin=f"{GOLD_PREFIX}{page.doc_id}",
                )
            )
        for i, role in enumerate(page.roles):
            text = _norm(lines[i])
            if role == "boilerplate" and text and text not in forbidden and text not in seen_lines:
                seen_lines.add(text)
                learned.append(Block((text,), f"{GOLD_PREFIX}{page.doc_id}"))
    return Pools(
        articles=articles,
        boilerplate={"learned": learned} if learned else {},
        sources=[f"gold:{p.doc_id}" for p in allowed],
        licences={PRESSCUT_ORIGIN: PRESSCUT_LICENCE,
                  **{f"{GOLD_PREFIX}{p.doc_id}": GOLD_LICENCE for p in allowed}},
    )


def load_gold_pools(root: Path | None = None, manifest: dict[str, str] | None = None) -> Pools:
    """Pools from the checkout's gold corpus; empty (with a source note) without a manifest.
    ``manifest`` (page → split) defaults to the committed ``splits/manifest.json``."""
    from presscut.builder.corpus import load_corpus

    manifest = read_manifest(root) if manifest is None else manifest
    if not manifest:
        return Pools(sources=["gold: skipped (no splits/manifest.json yet)"])
    corpus = load_corpus(root, provenances=("gold",))
    return gold_pools(corpus.pages, manifest)


# ------------------------------------------------------------------ real
def real_title(body: list[str]) -> tuple[str | None, list[str]]:
    """(title, paragraphs) of a real page whose source labels no title: its first body line
    when that line reads as a headline (at most ``TITLE_MAX_WORDS`` words, no terminal
    punctuation) and ``MIN_BODY_AFTER_TITLE`` body lines follow; else no title."""
    if len(body) > MIN_BODY_AFTER_TITLE:
        first = body[0]
        if (1 < len(first.split()) <= TITLE_MAX_WORDS and not first.endswith(_TERMINAL)
                and not _NOT_HEADLINE.search(first)):
            return first, body[1:]
    return None, body


def _cut(paragraphs: list[str]) -> list[str]:
    out, chars = [], 0
    for p in paragraphs[:MAX_REAL_PARAGRAPHS]:
        if out and chars + len(p) > MAX_REAL_CHARS:
            break
        out.append(p)
        chars += len(p)
    return out


def _flush(run: list[str], where: str, origin: str, blocks: dict[str, list[Block]],
           seen: set[tuple[str, ...]]) -> None:
    """File one run of boilerplate lines (then empty it) as blocks of ``where``'s kinds."""
    for k in range(0, len(run), MAX_BLOCK_LINES):
        block = tuple(run[k:k + MAX_BLOCK_LINES])
        if block in seen:
            continue
        seen.add(block)
        b = Block(block, origin)
        blocks.setdefault("learned", []).append(b)
        for kind in REAL_KINDS[where]:
            blocks.setdefault(kind, []).append(b)
    for t in run:
        if len(t.split()) <= WIDGET_MAX_WORDS and ("widget", t) not in seen:
            seen.add(("widget", t))
            blocks.setdefault("widget_tokens", []).append(Block((t,), origin))
    run.clear()


def real_pools(rows: Iterable[dict], forbidden: set[str], groups: dict[str, str]) -> Pools:
    """Articles and boilerplate blocks of real train ``rows`` (``REAL_FEATURES`` rows).

    One article per leakage group (``groups``: page -> group root, from the real manifest):
    pages of one group share a URL, an article or a sentence, so two of them would be
    near-copies labelled as different articles. Its title is the source's labelled title,
    or, where the source labels none, :func:`real_title`'s; a page with no title gives
    boilerplate only. Boilerplate comes as runs of consecutive boilerplate lines (blank
    lines do not break a run), cut at ``MAX_BLOCK_LINES``, filed by where the run sat.
    A line in ``forbidden`` (normalised lines of real validation and test pages, gold test
    pages) is dropped wherever it occurs.
    """
    from presscut.schema import ROLES

    articles: list[CleanArticle] = []
    blocks: dict[str, list[Block]] = {}
    seen_block: set[tuple[str, ...]] = set()
    seen_group: set[str] = set()
    licences: dict[str, str] = {}
    story_of: dict[str, str] = {}
    kept = {"titled": 0, "headline_rule": 0, "no_title": 0, "group_taken": 0, "empty": 0}
    for row in sorted(rows, key=lambda r: r["doc_id"]):
        doc_id = row["doc_id"]
        origin = f"{REAL_PREFIX}{doc_id}"
        story = f"{REAL_PREFIX}{groups.get(doc_id, doc_id)}"
        licences[origin] = row["licence"]
        story_of[origin] = story
        roles = [ROLES[r] for r in row["roles"]]
        lines = [_norm(t) for t in row["lines"]]
        span = row["articles"][0] if row["articles"] else None
        start, end = (span["start_line"], span["end_line"]) if span else (len(lines), len(lines))

        title, body = None, []
        for i in range(start, end):
            t = lines[i]
            if not t or t in forbidden:
                continue
            if roles[i] == "title" and title is None:
                title = t
            elif roles[i] == "body" and t not in body:
                body.append(t)
        labels_titles = ROLES.index("title") in row["labelled_roles"]
        how = "titled"
        if not labels_titles:
            title, body = real_title(body)
            how = "headline_rule"
        if story in seen_group:
            kept["group_taken"] += 1
        elif not body:
            kept["empty"] += 1
        elif title is None:
            kept["no_title"] += 1
        else:
            kept[how] += 1
            seen_group.add(story)
            articles.append(CleanArticle(id=origin, title=title, paragraphs=tuple(_cut(body)),
                                         story=story, origin=origin))

        run: list[str] = []
        where = "top"
        for i, t in enumerate(lines):
            if not t:
                continue  # blank lines do not break a run
            at = "top" if i < start else "inside" if i < end else "bottom"
            if roles[i] != "boilerplate" or at != where:
                _flush(run, where, origin, blocks, seen_block)
                where = at
            if roles[i] == "boilerplate" and t not in forbidden:
                run.append(t)
        _flush(run, where, origin, blocks, seen_block)
    pools = Pools(articles=articles, boilerplate=blocks, licences=licences, story_of=story_of)
    pools.sources = [f"real train: {len(licences)} page(s), {len(articles)} article(s) "
                     f"({kept['titled']} titled by the source, {kept['headline_rule']} by the "
                     f"headline rule; left out: {kept['no_title']} without a title, "
                     f"{kept['group_taken']} in a group already used, {kept['empty']} empty)"]
    pools.kept = kept
    return pools


def real_files(splits_dir: Path) -> dict[str, Path]:
    return {s: Path(splits_dir) / REAL_CONFIG / f"{s}.parquet"
            for s in ("train", "validation", "test")}


def _sha_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def real_pin(splits_dir: Path) -> dict | None:
    """The pin entry for the real split under ``splits_dir`` (None when there is none)."""
    files = real_files(splits_dir)
    if not files["train"].is_file():
        return None
    return {"config": REAL_CONFIG, "learn_from": "train", "keep_out": ["validation", "test"],
            "files": {f"{REAL_CONFIG}/{s}.parquet": _sha_file(p) for s, p in files.items()
                      if p.is_file()}}


def real_held_out_lines(splits_dir: Path) -> set[str]:
    """Normalised lines of the real validation and test pages (out-of-source ones too)."""
    import pyarrow.parquet as pq

    out: set[str] = set()
    for split, path in real_files(splits_dir).items():
        if split != "train" and path.is_file():
            for lines in pq.read_table(path, columns=["lines"]).column("lines").to_pylist():
                out.update(_norm(t) for t in lines if t.strip())
    out.discard("")
    return out


def check_real_pin(splits_dir: Path, pinned: dict) -> None:
    """Every real split file the pin names is there with its pinned sha256."""
    stale = []
    for rel, want in sorted(pinned["files"].items()):
        path = Path(splits_dir) / rel
        if not path.is_file():
            stale.append(f"{path}: pinned but missing")
        elif _sha_file(path) != want:
            stale.append(f"{path}: changed since the pin (sha256 {_sha_file(path)[:12]}…, "
                         f"pinned {want[:12]}…)")
    if stale:
        raise PresscutError(
            "the synthetic generator's pinned real pages changed (renew the pin with "
            "`presscut build --repin-synthetic`; it regenerates the synthetic config)",
            stale,
        )


def load_real_pools(splits_dir: Path, pinned: dict | None = None,
                    forbidden: Iterable[str] = (), held_out: set[str] | None = None) -> Pools:
    """Pools from the real train split under ``splits_dir``; validation and test lines are
    kept out. With ``pinned`` (the pin's ``real`` entry) every file must match its sha256."""
    import pyarrow.parquet as pq

    files = real_files(splits_dir)
    if pinned is not None:
        check_real_pin(splits_dir, pinned)
    if not files["train"].is_file():
        return Pools(sources=["real: skipped (no splits/real/train.parquet)"])
    keep_out = set(forbidden) | (real_held_out_lines(splits_dir) if held_out is None
                                 else held_out)
    manifest = Path(splits_dir) / REAL_CONFIG / "manifest.json"
    groups = {}
    if manifest.is_file():
        groups = json.loads(manifest.read_text(encoding="utf-8")).get("groups", {})
    cols = ["doc_id", "lines", "roles", "articles", "labelled_roles", "licence"]
    rows = pq.read_table(files["train"], columns=cols).to_pylist()
    return real_pools(rows, keep_out, groups)


def _label_sha(root: Path | None, doc_id: str) -> str:
    path = paths.corpus_dir(root) / "labels" / f"{doc_id}.yaml"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def pin_json(root: Path | None, manifest: dict[str, str], version: int,
             splits_dir: Path | None = None) -> str:
    """The pin for today's gold (train/validation pages to learn from, test pages to keep
    out) and for the real split under ``splits_dir`` (default: the checkout's)."""
    from presscut.builder.corpus import load_corpus

    corpus = load_corpus(root, provenances=("gold",))
    entry = {p.doc_id: {"page_sha256": p.sha256, "label_sha256": _label_sha(root, p.doc_id)}
             for p in corpus.pages if p.doc_id in manifest}
    learn = {d: e for d, e in sorted(entry.items()) if manifest[d] in ("train", "validation")}
    keep_out = {d: e for d, e in sorted(entry.items()) if manifest[d] not in ("train", "validation")}
    doc = {"version": version,
           "why": "the gold pages the synthetic generator learns from (learn_from) and whose "
                  "lines it never uses (keep_out), and the real split files it reads (train) "
                  "and keeps out (validation, test); renew with presscut build --repin-synthetic",
           "learn_from": learn, "keep_out": keep_out}
    real = real_pin(splits_dir or paths.splits_dir(root))
    if real is not None:
        doc["real"] = real
    return json.dumps(doc, indent=1) + "\n"


def pin_path(root: Path | None = None) -> Path:
    return paths.corpus_dir(root) / PIN_NAME


def read_pin(root: Path | None = None) -> dict | None:
    path = pin_path(root)
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        _ = doc["version"], dict(doc["learn_from"]), dict(doc["keep_out"])
        if "real" in doc:
            _ = dict(doc["real"]["files"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise PresscutError(f"{path}: not a synthetic-input pin ({err})") from None
    return doc


def pinned_gold_pools(root: Path | None, pin: dict, manifest: dict[str, str] | None = None,
                      refused: Iterable[str] = ()) -> Pools:
    """Pools from exactly the pinned gold pages; pages added since the pin are not read.

    ``refused`` are pages a lenient build refused: a draft build goes on without them (its
    synthetic pages then differ from the pin's, and :attr:`Pools.sources` says which were
    left out) where a strict build, or any other change to a pinned page, is an error.
    """
    from presscut.builder.corpus import load_corpus

    pages = {p.doc_id: p for p in load_corpus(root, provenances=("gold",)).pages}
    refused = set(refused)
    stale, skipped = [], []
    for group in ("learn_from", "keep_out"):
        for doc_id, want in pin[group].items():
            page = pages.get(doc_id)
            if doc_id in refused:
                skipped.append(doc_id)
            elif page is None:
                stale.append(f"{doc_id}: pinned ({group}) but no longer a gold page")
            elif page.sha256 != want["page_sha256"]:
                stale.append(f"{doc_id}: raw page changed since the pin")
            elif _label_sha(root, doc_id) != want["label_sha256"]:
                stale.append(f"{doc_id}: label file changed since the pin")
    moved = [f"{d}: pinned to learn from, now in {manifest[d]}" for d in pin["learn_from"]
             if manifest and manifest.get(d) not in (None, "train", "validation")]
    if stale or moved:
        raise PresscutError(
            f"{pin_path(root)}: the synthetic generator's pinned inputs changed (renew the pin with "
            "`presscut build --repin-synthetic`; it regenerates the synthetic config)",
            stale + moved,
        )
    split = {**dict.fromkeys(pin["keep_out"], "test"), **dict.fromkeys(pin["learn_from"], "train")}
    for doc_id in skipped:
        del split[doc_id]
    pools = gold_pools([pages[d] for d in sorted(split)], split)
    pools.sources = [f"gold pin v{pin['version']}: {len(pin['learn_from'])} page(s)"
                     + (f", without refused {', '.join(sorted(skipped))}" if skipped else "")]
    return pools


def _gold_keep_out_lines(root: Path | None, pin: dict | None,
                         manifest: dict[str, str] | None) -> set[str]:
    """Normalised lines of the gold pages the generator must not learn from."""
    from presscut.builder.corpus import load_corpus

    if pin is not None:
        learn = set(pin["learn_from"])
    else:
        manifest = read_manifest(root) if manifest is None else manifest
        learn = {d for d, s in manifest.items() if s in ("train", "validation")}
    return {_norm(t) for p in load_corpus(root, provenances=("gold",)).pages
            if p.doc_id not in learn for t in p.lines if t.strip()}


def default_pools(
    root: Path | None = None, extra: Iterable[Path] = (), use_gold: bool = True,
    manifest: dict[str, str] | None = None, pinned: bool = True, refused: Iterable[str] = (),
    use_real: bool = True, builtin: bool | None = None, splits_dir: Path | None = None,
) -> Pools:
    """Real train pages, plus train/validation gold, plus any clean-article JSONL files.

    ``builtin`` adds the built-in invented pool; left at None it is used only when no real
    train split is there to learn from (a fresh project root), and the pool sources say so.
    ``manifest`` is the build's own split assignment when it is not written yet. With
    ``pinned`` (the default) and a pin file present, gold and real come from the pin only.
    ``splits_dir`` is where the real split is read (default: the checkout's ``splits/``).
    """
    pin = read_pin(root) if pinned else None
    pools = Pools()
    held_out: set[str] = set()
    if use_real:
        splits_dir = Path(splits_dir) if splits_dir is not None else paths.splits_dir(root)
        keep_out = _gold_keep_out_lines(root, pin, manifest) if use_gold else set()
        real_pin_entry = pin.get("real") if pin is not None else None
        if pin is not None and real_pin_entry is None and real_files(splits_dir)["train"].is_file():
            raise PresscutError(
                f"{pin_path(root)}: pins no real split, but {splits_dir / REAL_CONFIG} has one "
                "(renew the pin with `presscut build --repin-synthetic`)"
            )
        if real_pin_entry is not None:
            check_real_pin(splits_dir, real_pin_entry)
        held_out = real_held_out_lines(splits_dir)
        pools.extend(load_real_pools(splits_dir, real_pin_entry, keep_out, held_out))
    if builtin or (builtin is None and not pools.articles):
        extra_pool = builtin_pools()
        if builtin is None:
            extra_pool.sources = ["builtin (no real train split to learn from)"]
        pools.extend(extra_pool)
    if use_gold and pin is not None:
        pools.extend(pinned_gold_pools(root, pin, manifest, refused))
    elif use_gold:
        pools.extend(load_gold_pools(root, manifest))
    for path in extra:
        pools.extend(load_article_pool(Path(path)))
    if use_real and held_out:
        # gold lines and any other pool's too: no pool text is on a real held-out page
        dropped = pools.drop(held_out)
        pools.sources.append(f"{dropped} line(s) of other pools dropped: on a real "
                             "validation or test page")
    return pools


# ------------------------------------------------------------------ splitting
def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def deal_keys(keys: Iterable[str], fractions: dict[str, float]) -> dict[str, str]:
    """Story key -> split: keys ordered by sha256 and cut by cumulative ``fractions``; every
    split with a positive fraction gets at least one key while keys last (two when there
    are enough, so a test page can append an unrelated second article)."""
    wanted = [s for s, f in fractions.items() if f > 0]
    keys = sorted(set(keys), key=_hash)
    if not wanted or not keys:
        return {}
    floor = 2 if len(keys) >= 2 * len(wanted) else 1 if len(keys) >= len(wanted) else 0
    rest = len(keys) - floor * len(wanted)
    total = sum(fractions[s] for s in wanted)
    quota = {s: floor + int(rest * fractions[s] / total) for s in wanted}
    # the largest split absorbs the rounding so every story is used exactly once
    largest = max(wanted, key=lambda s: fractions[s])
    quota[largest] += len(keys) - sum(quota.values())
    out, i = {}, 0
    for s in wanted:
        out.update(dict.fromkeys(keys[i : i + quota[s]], s))
        i += quota[s]
    return out


def split_articles(
    articles: list[CleanArticle],
    fractions: dict[str, float],
    extra_keys: Iterable[str] = (),
) -> dict[str, list[CleanArticle]]:
    """Assign whole stories to splits by hash (:func:`deal_keys`), so no test article shares
    a story (and so no wire quote or near-copy) with a train/validation article.
    ``extra_keys`` are stories dealt alongside (pages that give only boilerplate)."""
    deal = deal_keys([a.story_key for a in articles] + list(extra_keys), fractions)
    out: dict[str, list[CleanArticle]] = {s: [] for s in fractions}
    for a in sorted(articles, key=lambda a: (_hash(a.story_key), a.id)):
        if a.story_key in deal:
            out[deal[a.story_key]].append(a)
    return out
