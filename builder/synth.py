"""Deterministic synthetic noisy pages with labels by construction.

A page is composed from one or two clean articles (:mod:`presscut.builder.pools`) laid out
the way raw scrapes show them (see ``corpus/raw``): the headline and caption block printed
twice with stray widget tokens, breadcrumbs and print tools on top, donation appeals and
comment widgets around or inside the body, separator lines holding only a non-breaking
space, bylines with an e-mail address, pages with no blank line at all, an unrelated second
article appended, pages cut off mid-body.

Articles come from *story instances* (:mod:`presscut.builder.story_instances`): a pool story
rewritten with consistent fictional names, numbers and wording, so a few dozen pool articles
yield hundreds of distinct stories; neighbouring pages share instances (see ``_pick``).

Because the generator places every line, it knows each line's role, every article span,
which lines repeat each other (exact or near), and which articles are copies of the same
instance article (``dup_cluster``) or report the same story instance (``story_cluster``).
Copies carry controlled edits at graded difficulty, recorded per article as ``edit_level``:

0. exact copy of the instance article (a re-scrape: only the page around it differs);
1. light: one or two word substitutions;
2. medium: a sentence dropped, a sentence inserted, a few substitutions
   (a page cut off mid-body counts as at least this level);
3. heavy: paragraphs reordered, sentences dropped and inserted, more substitutions, the
   last quarter of the article truncated.

Page randomness comes from one ``random.Random`` per page, seeded from ``(seed, doc_id)``;
which instance a page joins depends on ``(seed, index)`` and its neighbours' indexes only,
so a page does not depend on which other pages were generated or in what batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from presscut.annotations import Article, DupGroup, Page
from presscut.builder.pools import (
    DATA_DIR,
    PRESSCUT_LICENCE,
    PRESSCUT_ORIGIN,
    CleanArticle,
    origin_of,
)
from presscut.builder.story_instances import StoryTemplate, Variants, instance_rng
from presscut.errors import PresscutError
from presscut.schema import (
    DUP_KINDS,
    PROVENANCES,
    ROLES,
    is_blank,
    line_char_offsets,
)

FILLERS = DATA_DIR / "fillers.json"
NBSP = "\u00a0"

# layout name -> weight; names are what the `layout` column records first
TEMPLATES: dict[str, float] = {
    "double_header": 0.3,  # title + captions, widget tokens, title + captions again, body
    "magazine": 0.3,  # title, dek, byline, dateline, appeal, body with inline photo, comments
    "plain": 0.15,  # title and body only
    "portal": 0.25,  # title, breadcrumbs, print tools, title again, captions, body, e-mail byline
}
EDIT_LEVEL_WEIGHTS = (0.4, 0.2, 0.2, 0.2)
# Page -> story instance: a page opens a new instance with P_NEW_STORY, else joins one
# opened among the previous REUSE_WINDOW pages, as a copy of its opening article with
# P_COPY, else as any article of that story. Mean story size is about 1 / P_NEW_STORY
# pages; copies of one article mostly number 1-5 pages.
P_NEW_STORY = 0.4
REUSE_WINDOW = 10
P_COPY = 0.3

_SENTENCE_END = re.compile(r"(?<=[.!?])([”\"’']?)\s+(?=[A-Z“\"‘'])")


@cache
def _variants() -> Variants:
    return Variants.load()


@dataclass
class Fillers:
    names: list[str]
    outlets: list[str]
    inserted_sentences: list[str]
    substitutions: list[tuple[str, str]]
    photo_credits: list[str]

    def __post_init__(self) -> None:
        # one alternation for all pairs, both directions: scanning a paragraph once per
        # pair was the generator's main cost
        self.swap: dict[str, str] = {}
        for a, b in self.substitutions:
            self.swap.setdefault(a, b)
            self.swap.setdefault(b, a)
        words = sorted(self.swap, key=len, reverse=True)
        self.swap_pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")
        # copies of one instance share paragraphs: find their swappable words once
        self.swap_spans = lru_cache(maxsize=4096)(self._swap_spans)

    def _swap_spans(self, text: str) -> tuple[tuple[int, int, str], ...]:
        return tuple((m.start(), m.end(), m.group(0)) for m in self.swap_pattern.finditer(text))

    @classmethod
    def load(cls, path: Path = FILLERS) -> Fillers:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            names=doc["names"],
            outlets=doc["outlets"],
            inserted_sentences=doc["inserted_sentences"],
            substitutions=[tuple(p) for p in doc["substitutions"]],
            photo_credits=doc["photo_credits"],
        )


@dataclass
class SynthPage:
    page: Page
    layout: list[str]
    edit_levels: list[int]
    article_ids: list[str]
    # the real/gold pages whose text the page holds, and the licences that text comes under
    # (the generator's own text, presscut's MIT, on every page)
    source_pages: list[str]
    licences: list[str]


# ------------------------------------------------------------------ edits
def split_sentences(paragraph: str) -> list[str]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(paragraph):
        out.append(paragraph[start : m.start() + len(m.group(1))])
        start = m.end()
    out.append(paragraph[start:])
    return [s for s in out if s.strip()]


def _substitute(rng: random.Random, paras: list[str], fillers: Fillers) -> bool:
    """Replace one occurrence of a word/phrase with its counterpart (either direction)."""
    options = [(j, span) for j, p in enumerate(paras) for span in fillers.swap_spans(p)]
    if not options:
        return False
    j, (start, end, word) = rng.choice(options)
    paras[j] = paras[j][:start] + fillers.swap[word] + paras[j][end:]
    return True


def _drop_sentence(rng: random.Random, paras: list[str]) -> bool:
    # the lead paragraph stays: copies keep their opening, which is what makes them copies
    multi = [j for j in range(1, len(paras)) if len(split_sentences(paras[j])) > 1]
    if multi:
        j = rng.choice(multi)
        sents = split_sentences(paras[j])
        del sents[rng.randrange(len(sents))]
        paras[j] = " ".join(sents)
        return True
    if len(paras) > 3:
        del paras[rng.randrange(1, len(paras))]
        return True
    return False


def _insert_sentence(rng: random.Random, paras: list[str], sentences: list[str]) -> bool:
    j = rng.randrange(len(paras))
    paras[j] = paras[j] + " " + rng.choice(sentences)
    return True


def _reorder(rng: random.Random, paras: list[str]) -> bool:
    if len(paras) < 3:
        return False
    j = rng.randrange(1, len(paras) - 1)
    paras[j], paras[j + 1] = paras[j + 1], paras[j]
    return True


def _truncate(paras: list[str]) -> bool:
    keep = max(2, -(-len(paras) * 3 // 4))
    if keep >= len(paras):
        return False
    del paras[keep:]
    return True


def edit_article(
    rng: random.Random, article: CleanArticle, level: int, fillers: Fillers
) -> tuple[list[str], list[str]]:
    """Paragraphs of a copy of ``article`` at ``level``, and the edit steps applied."""
    paras = list(article.paragraphs)
    steps: list[str] = []
    plan: list[str] = []
    if level == 1:
        plan = ["substitute"] * rng.randint(1, 2)
    elif level == 2:
        plan = ["drop_sentence", "insert_sentence"] + ["substitute"] * rng.randint(2, 4)
    elif level >= 3:
        plan = ["reorder", "drop_sentence", "drop_sentence", "insert_sentence", "truncate"]
        plan += ["substitute"] * rng.randint(3, 6)
    for op in plan:
        if op == "substitute":
            done = _substitute(rng, paras, fillers)
        elif op == "drop_sentence":
            done = _drop_sentence(rng, paras)
        elif op == "insert_sentence":
            done = _insert_sentence(rng, paras, fillers.inserted_sentences)
        elif op == "reorder":
            done = _reorder(rng, paras)
        else:
            done = _truncate(paras)
        if done:
            steps.append(op)
    if level > 0 and paras == list(article.paragraphs):
        # no substitution fitted this text: a copy at level >= 1 must still differ
        _insert_sentence(rng, paras, fillers.inserted_sentences)
        steps.append("insert_sentence")
    return paras, steps


def cut_off(rng: random.Random, paras: list[str]) -> list[str]:
    """The page ends mid-paragraph somewhere in the second half of the body."""
    j = rng.randrange(len(paras) // 2, len(paras))
    words = paras[j].split(" ")
    keep = max(3, int(len(words) * rng.uniform(0.3, 0.8)))
    return paras[:j] + [" ".join(words[:keep])]


# ------------------------------------------------------------------ composing
class _Lines:
    """The page under construction: text, role, owning article, and a repeat key per line."""

    def __init__(self, sep: str):
        self.sep = sep  # "blank", "nbsp" or "none"
        self.items: list[tuple[str, str, int, object]] = []

    def add(self, text: str, role: str, k: int = -1, key: object = None) -> int:
        self.items.append((text, role, k, key))
        return len(self.items) - 1

    def block(self, lines, role: str) -> None:
        for line in lines:
            self.add(line, role)

    def gap(self) -> None:
        """A paragraph separator in the page's style (none on pages without blank lines)."""
        if self.sep == "none" or not self.items or is_blank(self.items[-1][0]):
            return
        self.add(NBSP if self.sep == "nbsp" else "", "blank")


def _fill(template: str, rng: random.Random, outlet: str) -> str:
    """Boilerplate templates: ``{outlet}`` is the site, ``{n}`` a small and ``{N}`` a big count."""
    text = template.replace("{outlet}", outlet)
    while "{n}" in text:
        text = text.replace("{n}", str(rng.randint(2, 60)), 1)
    while "{N}" in text:
        text = text.replace("{N}", str(rng.randint(100, 9999)), 1)
    return text


def _dateline(rng: random.Random) -> str:
    day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(6 * 365))
    hh, mm = rng.randrange(24), rng.randrange(60)
    style = rng.randrange(4)
    if style == 0:
        return f"{day:%A} {day.day} {day:%B %Y} {hh:02d}:{mm:02d} GMT"
    if style == 1:
        return f"{day:%B} {day.day}, {day.year}"
    if style == 2:
        return f"Published: {day:%Y-%m-%d} {hh:02d}:{mm:02d}"
    return f"{day:%d.%m.%Y} | {hh:02d}:{mm:02d}"


class SyntheticGenerator:
    """Pages from a fixed article pool; ``page(doc_id)`` is a pure function of (seed, doc_id)."""

    def __init__(
        self,
        articles: list[CleanArticle],
        boilerplate: dict[str, list[tuple[str, ...]]],
        seed: int = 0,
        fillers: Fillers | None = None,
        licences: dict[str, str] | None = None,
    ):
        if not articles:
            raise PresscutError("synthetic generator: the article pool is empty")
        self.articles = sorted(articles, key=lambda a: a.id)
        self.boilerplate = boilerplate
        self.seed = seed
        self.licences = {PRESSCUT_ORIGIN: PRESSCUT_LICENCE, **(licences or {})}
        unknown = sorted({a.origin for a in self.articles} - set(self.licences))
        if unknown:
            raise PresscutError(f"synthetic generator: no licence for {', '.join(unknown[:5])}")
        self._used: set[str] = set()  # origins of the text on the page being composed
        self.fillers = fillers or Fillers.load()
        self._templates = list(TEMPLATES)
        self._weights = [TEMPLATES[t] for t in self._templates]
        by_story: dict[str, list[CleanArticle]] = {}
        for a in self.articles:
            by_story.setdefault(a.story_key, []).append(a)
        variants = _variants()
        self.stories = {k: StoryTemplate(k, arts, variants) for k, arts in by_story.items()}
        # bounded caches: pages re-use the instances of their recent neighbours
        self._origin = lru_cache(maxsize=4 * REUSE_WINDOW)(self._origin_uncached)
        self._mapping = lru_cache(maxsize=256)(self._mapping_uncached)
        self._render = lru_cache(maxsize=256)(self._render_uncached)

    # -- story instances
    def _origin_uncached(self, index: int) -> tuple[bool, CleanArticle]:
        """Whether page ``index`` opens a story instance, and with which pool article."""
        digest = hashlib.sha256(f"presscut-origin:{self.seed}:{index}".encode()).digest()
        fresh = int.from_bytes(digest[:4], "big") / 2**32 < P_NEW_STORY
        return fresh, self.articles[int.from_bytes(digest[4:12], "big") % len(self.articles)]

    def _mapping_uncached(self, story_key: str, key: str) -> dict[str, str]:
        return self.stories[story_key].mapping(instance_rng(self.seed, story_key, key))

    def _render_uncached(self, art: CleanArticle, key: str) -> CleanArticle:
        mapping = self._mapping(art.story_key, key)
        rng = instance_rng(self.seed, art.id, key)
        return self.stories[art.story_key].render(art, mapping, key, rng)

    def instance_article(self, dup_cluster: str) -> CleanArticle:
        """The clean text behind ``dup_cluster`` (``dup:<pool id>#<instance key>``): the pool
        article as its story instance rewrote it, before any page-level edit."""
        pool_id, _, key = dup_cluster.removeprefix("dup:").rpartition("#")
        by_id = {a.id: a for a in self.articles}
        if pool_id not in by_id or not key:
            raise PresscutError(f"no pool article behind dup cluster {dup_cluster!r}")
        return self._render(by_id[pool_id], key)

    def _pick(
        self, rng: random.Random, index: int, avoid: str | None = None
    ) -> tuple[CleanArticle, CleanArticle]:
        """(pool article, its rendering in a story instance) for one article of page ``index``.

        A page opens its own instance with probability ``P_NEW_STORY``; otherwise it joins
        an instance opened by one of the previous ``REUSE_WINDOW`` pages: another outlet's
        article on that story, or (``P_COPY``) a copy of the opening article (a re-scrape or
        a syndicated copy). ``avoid`` is a story key the article must not belong to.
        """
        fresh, lead = self._origin(index)
        if fresh and lead.story_key != avoid:
            return lead, self._render(lead, str(index))
        opened = []
        for k in range(max(0, index - REUSE_WINDOW), index):
            f, art = self._origin(k)
            if f and art.story_key != avoid:
                opened.append((k, art))
        if opened:
            k, art = rng.choice(opened)
            siblings = [a for a in self.stories[art.story_key].articles if a is not art]
            if siblings and rng.random() >= P_COPY:
                art = rng.choice(siblings)
            return art, self._render(art, str(k))
        # nothing to join: an instance of its own, keyed apart from every page's instance
        pool = [a for a in self.articles if a.story_key != avoid] or self.articles
        art = pool[rng.randrange(len(pool))] if (lead.story_key == avoid) else lead
        return art, self._render(art, f"{index}x" if avoid else str(index))

    # -- helpers
    def _bp(self, rng: random.Random, kind: str, outlet: str) -> list[str]:
        """One boilerplate block of ``kind`` (learned lines stand in when a kind is missing)."""
        blocks = (
            self.boilerplate.get(kind) or self.boilerplate.get("learned") or [("Advertisement",)]
        )
        block = rng.choice(blocks)
        self._used.add(origin_of(block))
        return [_fill(line, rng, outlet) for line in block]

    def _tokens(self, rng: random.Random, outlet: str) -> list[str]:
        out = self._bp(rng, "widget_tokens", outlet)
        if rng.random() < 0.5:
            out += self._bp(rng, "counters", outlet)
        return out

    def _boiler(self, lines: _Lines, block: list[str], spaced: bool) -> None:
        for line in block:
            lines.add(line, "boilerplate")
            if spaced:
                lines.gap()

    # -- one article
    def _article(
        self,
        rng: random.Random,
        lines: _Lines,
        k: int,
        art: CleanArticle,
        paras: list[str],
        template: str,
        outlet: str,
        layout: list[str],
        last: bool,
    ) -> None:
        caps = list(art.captions[: rng.randint(1, 2)]) if art.captions else []
        byline = art.byline or (rng.choice(self.fillers.names) if rng.random() < 0.7 else None)
        title = art.title
        if template == "double_header":
            for copy in range(2):
                lines.add(title, "title", k, ("title", k))
                lines.gap()
                for c, cap in enumerate(caps):
                    # each caption is printed twice in a row (image alt + figcaption)
                    lines.add(cap, "caption", k, ("cap", k, c))
                    lines.add(cap, "caption", k, ("cap", k, c))
                if copy == 0:
                    for tok in self._tokens(rng, outlet):
                        lines.add(tok, "boilerplate")
                lines.gap()
            layout.append(f"a{k}:title_caption_block_twice")
        elif template == "magazine":
            lines.add(title, "title", k, ("title", k))
            lines.gap()
            if art.dek:
                lines.add(art.dek, "dek", k)
                lines.gap()
            if byline:
                lines.add(byline, "byline", k)
            lines.add(art.dateline or _dateline(rng), "dateline", k)
            if rng.random() < 0.6:
                self._boiler(lines, self._bp(rng, "counters", outlet), spaced=False)
            if rng.random() < 0.5:
                self._boiler(lines, self._bp(rng, "related", outlet), spaced=False)
                layout.append(f"a{k}:related_link")
            lines.gap()
            if rng.random() < 0.6:
                self._boiler(lines, self._bp(rng, "donation_appeal", outlet), spaced=True)
                layout.append(f"a{k}:donation_appeal_before_body")
        elif template == "portal":
            if rng.random() < 0.3:
                # the page <title> carries the site name: a near copy of the headline
                lines.add(f"{title} | {outlet}", "title", k, ("title", k))
                layout.append(f"a{k}:title_with_site_suffix")
            else:
                lines.add(title, "title", k, ("title", k))
            lines.gap()
            self._boiler(lines, self._bp(rng, "breadcrumbs", outlet), spaced=True)
            self._boiler(lines, self._bp(rng, "print_tools", outlet), spaced=True)
            lines.add(title, "title", k, ("title", k))
            lines.gap()
            for c, cap in enumerate(caps):
                lines.add(cap, "caption", k, ("cap", k, c))
                lines.gap()
                lines.add(cap, "caption", k, ("cap", k, c))
                lines.gap()
            layout.append(f"a{k}:breadcrumbs_print_tools_title_twice")
        else:  # plain
            lines.add(title, "title", k, ("title", k))
            lines.gap()
            if art.dek and rng.random() < 0.5:
                lines.add(art.dek, "dek", k)
                lines.gap()

        # body, with an appeal or an inline photo possibly dropped inside it
        inside_appeal = (
            rng.randrange(1, len(paras)) if len(paras) > 2 and rng.random() < 0.2 else -1
        )
        inline_photo = (
            rng.randrange(1, len(paras))
            if template == "magazine" and art.captions and len(paras) > 2
            else -1
        )
        for j, para in enumerate(paras):
            if j == inside_appeal:
                self._boiler(lines, self._bp(rng, "donation_appeal", outlet), spaced=True)
                layout.append(f"a{k}:donation_appeal_inside_body")
            if j == inline_photo:
                cap = art.captions[-1]
                credit = _fill(rng.choice(self.fillers.photo_credits), rng, outlet)
                lines.add(cap, "caption", k, ("inline", k))
                lines.add(f"{cap} {credit}", "caption", k, ("inline", k))
                lines.gap()
                layout.append(f"a{k}:inline_photo_with_credit")
            lines.add(para, "body", k)
            lines.gap()
        if last and "cut_off" in layout:
            return
        if template == "portal" and byline:
            user = re.sub(r"[^a-z]", "", byline.lower().split()[-1]) or "desk"
            domain = re.sub(r"[^a-z]", "", outlet.lower()) or "news"
            lines.add(f"BY {byline.upper()} [{user}@{domain}.com]", "byline", k)
            layout.append(f"a{k}:byline_with_email_after_body")
        elif template == "double_header" and byline and rng.random() < 0.3:
            lines.add(f"By {byline}", "byline", k)

    # -- one page
    def page(self, doc_id: str, index: int | None = None) -> SynthPage:
        """Page ``doc_id``; ``index`` is its position in a run of pages (0, 1, 2 …).

        Neighbouring indexes share story instances, which gives a split its clusters of
        re-scrapes and several outlets' articles per story. Without an index the page draws
        one from its doc id and stands (almost always) alone.
        """
        digest = hashlib.sha256(f"presscut-synth:{self.seed}:{doc_id}".encode()).hexdigest()
        rng = random.Random(digest)
        self._used = set()
        if index is None:
            index = int(digest[:12], 16)
        outlet = rng.choice(self.fillers.outlets)
        template = rng.choices(self._templates, self._weights)[0]
        default_sep = {
            "double_header": "blank",
            "magazine": "blank",
            "plain": "none",
            "portal": "nbsp",
        }
        sep = default_sep[template]
        roll = rng.random()
        if roll < 0.15:
            sep = "none"
        elif roll < 0.3:
            sep = "nbsp"
        layout = [f"template:{template}", f"separators:{sep}"]
        lines = _Lines(sep)

        main_pool, main = self._pick(rng, index)
        picks = [main]
        if rng.random() < 0.25 and len(self.stories) > 1:
            picks.append(self._pick(rng, index, avoid=main_pool.story_key)[1])
            layout.append("second_unrelated_article")
        if rng.random() < 0.15:
            layout.append("cut_off")

        if template in ("portal", "magazine") or rng.random() < 0.2:
            if template != "portal" and rng.random() < 0.5:
                self._boiler(lines, self._bp(rng, "breadcrumbs", outlet), spaced=True)
                layout.append("breadcrumbs_top")

        levels: list[int] = []
        for k, art in enumerate(picks):
            level = rng.choices(range(4), EDIT_LEVEL_WEIGHTS)[0]
            paras, steps = edit_article(rng, art, level, self.fillers)
            last = k == len(picks) - 1
            if last and "cut_off" in layout:
                paras = cut_off(rng, paras)
                if paras == list(art.paragraphs):
                    # the cut took off exactly what the edits had added: cut one word more
                    paras[-1] = paras[-1].rsplit(" ", 1)[0]
                level = max(level, 2)
                steps.append("cut_off")
            levels.append(level)
            layout.append(f"a{k}:edit_level={level}" + (":" + ",".join(steps) if steps else ""))
            # an appended article reuses the site's header style but never its portal chrome
            tpl = template if k == 0 else rng.choice(("double_header", "plain"))
            self._article(rng, lines, k, art, paras, tpl, outlet, layout, last)
            if not last and sep != "none":
                # infinite-scroll pages leave a wider gap before the appended article
                lines.gap()
                for _ in range(rng.randint(0, 2)):
                    lines.add(NBSP if sep == "nbsp" else "", "blank")

        if "cut_off" not in layout:
            tail = rng.random()
            if template == "magazine" or tail < 0.4:
                self._boiler(lines, self._bp(rng, "comment_widget", outlet), spaced=sep != "none")
                layout.append("comment_widget_bottom")
            if template == "portal" or tail > 0.7:
                self._boiler(lines, self._tokens(rng, outlet), spaced=False)
                self._boiler(lines, self._bp(rng, "footer", outlet), spaced=False)
                layout.append("widget_tokens_and_footer_bottom")
            if rng.random() < 0.2:
                lines.gap()
                self._boiler(lines, self._bp(rng, "newsletter", outlet), spaced=sep != "none")
                layout.append("newsletter_bottom")
            if rng.random() < 0.15 and self.boilerplate.get("learned"):
                self._boiler(lines, self._bp(rng, "learned", outlet), spaced=False)
                layout.append("learned_boilerplate_bottom")

        return self._finish(doc_id, lines, picks, levels, layout, outlet)

    def _finish(self, doc_id, lines: _Lines, picks, levels, layout, outlet) -> SynthPage:
        items = lines.items
        while items and is_blank(items[-1][0]):
            items.pop()  # raw pages end on their last content line (no trailing newline)
        texts = [t for t, _, _, _ in items]
        text = "\n".join(texts)
        roles = ["blank" if is_blank(t) else r for t, r, _, _ in items]

        articles = []
        for k, art in enumerate(picks):
            at = [i for i, (_, r, kk, _) in enumerate(items) if kk == k and r != "blank"]
            byline = art.byline or next(
                (texts[i] for i in at if roles[i] == "byline" and not texts[i].startswith("BY ")),
                None,
            )
            articles.append(
                Article(
                    k=k,
                    start_line=at[0],
                    end_line=at[-1] + 1,
                    dup_cluster=f"dup:{art.id}",  # pool id + "#" + instance key
                    story_cluster=f"story:{art.story_key}",
                    byline=byline,
                )
            )

        # repeats: same construction key, or the same text (widget tokens, "Comments" twice)
        parent = list(range(len(items)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        first: dict[object, int] = {}
        for i, (t, _, _, key) in enumerate(items):
            if roles[i] == "blank":
                continue
            for handle in (("text", t.strip()), ("key", key) if key is not None else None):
                if handle is None:
                    continue
                if handle in first:
                    parent[find(i)] = find(first[handle])
                else:
                    first[handle] = i
        members: dict[int, list[int]] = {}
        for i in range(len(items)):
            if roles[i] != "blank":
                members.setdefault(find(i), []).append(i)
        groups = []
        for group in sorted((m for m in members.values() if len(m) > 1), key=lambda m: m[0]):
            kind = "exact" if len({texts[i].strip() for i in group}) == 1 else "near"
            groups.append(DupGroup(lines=group, kind=kind))

        used = self._used | {art.origin for art in picks}
        unknown = sorted(used - set(self.licences))
        if unknown:
            raise PresscutError(f"synthetic generator: no licence for {', '.join(unknown[:5])}")
        sources = sorted(used - {PRESSCUT_ORIGIN})
        licences = sorted({self.licences[o] for o in used} | {PRESSCUT_LICENCE})
        evidence = [i for i, t in enumerate(texts) if outlet in t and roles[i] == "boilerplate"]
        page = Page(
            doc_id=doc_id,
            text=text,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            roles=roles,
            articles=articles,
            dup_groups=groups,
            outlet=outlet if evidence else None,
            outlet_evidence_lines=evidence,
            provenance="synthetic",
            source_file="",
            note="",
        )
        return SynthPage(page, layout, levels, [f"{doc_id}/{a.k}" for a in articles],
                         sources, licences)


# ------------------------------------------------------------------ rows
_ROLE_ID = {r: i for i, r in enumerate(ROLES)}
_KIND_ID = {k: i for i, k in enumerate(DUP_KINDS)}
_SYNTHETIC = PROVENANCES.index("synthetic")


def synthetic_row(sp: SynthPage) -> dict:
    """One row of the ``synthetic`` config (``schema.SYNTHETIC_FEATURES``), ClassLabels as ids."""
    page = sp.page
    lines = page.lines
    offsets = line_char_offsets(lines)
    return {
        "doc_id": page.doc_id,
        "lines": lines,
        "roles": [_ROLE_ID[r] for r in page.roles],
        "article_index": page.article_index(),
        "dup_group": page.dup_group_of_line(),
        "articles": [
            {
                "start_line": a.start_line,
                "end_line": a.end_line,
                "start_char": offsets[a.start_line],
                "end_char": offsets[a.end_line - 1] + len(lines[a.end_line - 1]),
            }
            for a in page.articles
        ],
        "dup_groups": [{"lines": g.lines, "kind": _KIND_ID[g.kind]} for g in page.dup_groups],
        "provenance": _SYNTHETIC,
        "text": page.text,
        "layout": sp.layout,
        "article_ids": sp.article_ids,
        "dup_clusters": [a.dup_cluster for a in page.articles],
        "story_clusters": [a.story_cluster for a in page.articles],
        "edit_level": sp.edit_levels,
        "source_pages": sp.source_pages,
        "licences": sp.licences,
    }
