"""Material the synthetic generator composes pages from: clean articles and boilerplate.

Three sources feed a :class:`Pools`:

* the built-in pool shipped in ``builder/data/`` (original text written for presscut);
* clean-article JSONL files (format in ``docs/pools.md``), e.g. from ``presscut import
  jsonl-articles``;
* the train/validation gold pages: their articles and their boilerplate lines.

Test pages never feed a pool: a page enters only when ``splits/manifest.json`` puts it
in train or validation, and any pool text that also occurs on a test page is dropped
(boilerplate is site-wide, so a line learned from a train page can sit on a test page too).

What the build's generator learns from gold is **pinned** (``corpus/synth_inputs.json``,
versioned): the pages it reads and the test pages it keeps out, each with the sha256 of its
raw page and of its label file. Adding a gold page therefore never moves a synthetic page;
taking new pages in is an explicit step (``presscut build --repin-synthetic``) that bumps the
pin's version and regenerates the synthetic config. A pinned page whose text or labels
changed is an error until the pin is renewed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
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

    def blocks(self, kind: str) -> list[tuple[str, ...]]:
        return self.boilerplate.get(kind, [])

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


def load_article_pool(path: Path) -> Pools:
    return Pools(articles=list(read_article_jsonl(path)), sources=[str(path)])


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
        out[kind] = [tuple(e) if isinstance(e, list) else (e,) for e in entries]
    return out


def builtin_pools() -> Pools:
    pools = load_article_pool(BUILTIN_ARTICLES)
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
                )
            )
        for i, role in enumerate(page.roles):
            text = _norm(lines[i])
            if role == "boilerplate" and text and text not in forbidden and text not in seen_lines:
                seen_lines.add(text)
                learned.append((text,))
    return Pools(
        articles=articles,
        boilerplate={"learned": learned} if learned else {},
        sources=[f"gold:{p.doc_id}" for p in allowed],
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


def _label_sha(root: Path | None, doc_id: str) -> str:
    path = paths.corpus_dir(root) / "labels" / f"{doc_id}.yaml"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def pin_json(root: Path | None, manifest: dict[str, str], version: int) -> str:
    """The pin for today's gold: train/validation pages to learn from, test pages to keep out."""
    from presscut.builder.corpus import load_corpus

    corpus = load_corpus(root, provenances=("gold",))
    entry = {p.doc_id: {"page_sha256": p.sha256, "label_sha256": _label_sha(root, p.doc_id)}
             for p in corpus.pages if p.doc_id in manifest}
    learn = {d: e for d, e in sorted(entry.items()) if manifest[d] in ("train", "validation")}
    keep_out = {d: e for d, e in sorted(entry.items()) if manifest[d] not in ("train", "validation")}
    doc = {"version": version,
           "why": "the gold pages the synthetic generator learns from (learn_from) and whose "
                  "lines it never uses (keep_out); renew with presscut build --repin-synthetic",
           "learn_from": learn, "keep_out": keep_out}
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


def default_pools(
    root: Path | None = None, extra: Iterable[Path] = (), use_gold: bool = True,
    manifest: dict[str, str] | None = None, pinned: bool = True, refused: Iterable[str] = (),
) -> Pools:
    """The built-in pool, plus train/validation gold, plus any clean-article JSONL files.
    ``manifest`` is the build's own split assignment when it is not written yet. With
    ``pinned`` (the default) and a pin file present, gold comes from the pin only."""
    pools = builtin_pools()
    pin = read_pin(root) if pinned else None
    if use_gold and pin is not None:
        pools.extend(pinned_gold_pools(root, pin, manifest, refused))
    elif use_gold:
        pools.extend(load_gold_pools(root, manifest))
    for path in extra:
        pools.extend(load_article_pool(Path(path)))
    return pools


# ------------------------------------------------------------------ splitting
def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def split_articles(
    articles: list[CleanArticle],
    fractions: dict[str, float],
) -> dict[str, list[CleanArticle]]:
    """Assign whole stories to splits by hash, so no test article shares a story (and so no
    wire quote or near-copy) with a train/validation article.

    Stories are ordered by the sha256 of their key and cut by cumulative ``fractions``;
    every split with a positive fraction gets at least one story while stories last
    (two when there are enough, so a test page can append an unrelated second article).
    """
    wanted = [s for s, f in fractions.items() if f > 0]
    by_story: dict[str, list[CleanArticle]] = {}
    for a in articles:
        by_story.setdefault(a.story_key, []).append(a)
    keys = sorted(by_story, key=_hash)
    out: dict[str, list[str]] = {s: [] for s in fractions}
    if not wanted or not keys:
        return {s: [] for s in fractions}
    floor = 2 if len(keys) >= 2 * len(wanted) else 1 if len(keys) >= len(wanted) else 0
    rest = len(keys) - floor * len(wanted)
    total = sum(fractions[s] for s in wanted)
    quota = {s: floor + int(rest * fractions[s] / total) for s in wanted}
    # the largest split absorbs the rounding so every story is used exactly once
    largest = max(wanted, key=lambda s: fractions[s])
    quota[largest] += len(keys) - sum(quota.values())
    i = 0
    for s in wanted:
        out[s] = keys[i : i + quota[s]]
        i += quota[s]
    return {s: [a for k in out[s] for a in by_story[k]] for s in fractions}
