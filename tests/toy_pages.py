"""Small labelled toy pages for baseline tests and speed benchmarks.

Not the dataset's synthetic generator (``presscut.builder.synth`` composes realistic
pages from real articles); these are made-up words in news-page layouts, labelled by
construction, so tests and benchmarks never depend on gold contents. Deterministic
for a given seed.
"""

from __future__ import annotations

import random

_STOP = ("the of and to in that for on with as by at from it was is said has were an "
         "but after over which this their its about they more than".split())
_NOUNS = ("minister government officials talks border agency report council village "
          "market workers election court police forces region leader ports farmers "
          "parliament hospital budget drones company army reserve harbour".split())
_VERBS = ("announced rejected approved delayed reported warned confirmed blocked "
          "reviewed promised launched criticised opened ended".split())
_NAMES = ("Amara Lind Oskar Patel Mei Tanaka Ruth Okafor Jonas Berg Lena Costa "
          "Farid Haddad Ines Duarte Tom Walsh".split())
_PLACES = "Tallin Qorvo Marisend Oberlake Duneport Velmar Korsa Halbrook".split()
_MONTHS = "January March May July September November".split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday".split()
_NAV = ["Home > World > {p}", "Share", "Comments", "Print", "Advertisement", "{n}",
        "Sign up to our newsletter", "Related: {t}", "Most read", "Follow us"]
_TAIL = ["Join our commenting forum", "Comments", "Thank you for registering",
         "Please log in to leave a comment.", "All rights reserved ©", "Share this article",
         "{n}", "lock icon", "Read more: {t}"]


def _sentence(r: random.Random) -> str:
    parts = [r.choice(_STOP).capitalize(), r.choice(_NOUNS)]
    for _ in range(r.randint(9, 20)):
        parts.append(r.choice(_STOP) if r.random() < 0.45 else
                     r.choice(_NOUNS + _VERBS + _PLACES))
    return " ".join(parts) + r.choice([".", ".", ".", "?", ".\""])


def _title(r: random.Random) -> str:
    ws = [r.choice(_PLACES), r.choice(_VERBS).capitalize()]
    ws += [r.choice(_NOUNS).capitalize() if r.random() < 0.7 else r.choice(_STOP)
           for _ in range(r.randint(3, 9))]
    return " ".join(ws)


def _fill(template: str, r: random.Random) -> str:
    return template.format(p=r.choice(_PLACES), n=r.randint(2, 999), t=_title(r))


def toy_page(seed: int, doc_id: str | None = None) -> dict:
    """One page: ``{"doc_id", "lines", "roles", "articles"}`` with roles by construction."""
    r = random.Random(seed)
    lines: list[str] = []
    roles: list[str] = []
    articles: list[list[int]] = []
    para_gap = r.random() < 0.6  # blank line between paragraphs or not

    def add(text: str, role: str) -> None:
        lines.append(text)
        roles.append(role)

    def blank(k: int = 1) -> None:
        for _ in range(k):
            add(r.choice(["", "", "\u00a0", " "]), "blank")

    for _ in range(r.randint(0, 3)):
        add(_fill(r.choice(_NAV), r), "boilerplate")
    if lines:
        blank()
    n_articles = 1 if r.random() < 0.6 else 2
    for a in range(n_articles):
        if a:
            blank(r.randint(2, 3))
            if r.random() < 0.5:
                add(_fill(r.choice(_NAV), r), "boilerplate")
                blank()
        start = len(lines)
        title = _title(r)
        add(title, "title")
        blank()
        if r.random() < 0.5:
            add(" ".join(_sentence(r).split()[:12]).rstrip(".?\""), "dek")
            blank()
        if r.random() < 0.6:
            add(f"By {r.choice(_NAMES)} {r.choice(_NAMES)}", "byline")
        if r.random() < 0.5:
            add(f"{r.choice(_DAYS)} {r.randint(1, 28)} {r.choice(_MONTHS)} "
                f"{r.randint(2015, 2025)} {r.randint(0, 23):02d}:{r.randint(0, 59):02d} GMT",
                "dateline")
        if r.random() < 0.6:
            cap = (f"A {r.choice(_NOUNS)} in {r.choice(_PLACES)} on {r.choice(_DAYS)} "
                   f"{r.choice(['(AFP)', '(Reuters)', '(Getty Images)', '(AP Photo)'])}")
            add(cap, "caption")
            if r.random() < 0.5:
                add(cap, "caption")
            if r.random() < 0.5:
                blank()
                add(title, "title")
        blank()
        for p in range(r.randint(3, 9)):
            add(" ".join(_sentence(r) for _ in range(r.randint(1, 4))), "body")
            if p == 1 and r.random() < 0.3:
                blank()
                add(_fill(r.choice(["Advertisement", "Read more: {t}", "Share"]), r),
                    "boilerplate")
            if para_gap:
                blank()
        while roles[-1] == "blank":
            lines.pop()
            roles.pop()
        articles.append([start, len(lines)])
    if r.random() < 0.8:
        blank()
        for _ in range(r.randint(1, 4)):
            add(_fill(r.choice(_TAIL), r), "boilerplate")
    return {"doc_id": doc_id or f"toy{seed:06d}", "lines": lines, "roles": roles,
            "articles": articles}


def toy_pages(n: int, seed: int = 0) -> list[dict]:
    return [toy_page(seed * 1_000_003 + i, doc_id=f"toy{seed}_{i:06d}") for i in range(n)]
