"""Leakage-aware, stable split assignment for the ``real`` config.

Pages are joined into one group when they share a URL, when their page texts are
near-duplicates (MinHash Jaccard estimate ≥ ``NEAR_DUP_PAGE`` over word 5-gram shingles),
when their gold bodies are (≥ ``NEAR_DUP_BODY``: the same article on two pages), or when
their body lines share a sentence of ≥ ``MIN_SHARED_SENTENCE`` words (a wire story quoted by
two sites, a site's stock disclaimer inside its articles), and when their source names the
same site for both (fundus: the publisher, whose boilerplate every page of it shares). A group
never straddles splits. Inside each source, new groups go, in a fixed sha256 order, to
the split furthest below its target share; pages keep the split the committed manifest
gives them. The out-of-source corpus goes to ``test`` whole, and any group that touches
it goes with it.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from presscut.builder.splits import UnionFind, sentences
from presscut.schema import ROLES, SPLITS

TARGET_SHARE = {"train": 0.5, "validation": 0.15, "test": 0.35}
NEAR_DUP_PAGE = 0.8
NEAR_DUP_BODY = 0.5
MIN_SHARED_SENTENCE = 8
NUM_PERM = 128
SHINGLE = 5
_WORD = re.compile(r"\w+")


def normalise_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    if host in ("", "fakehost"):  # readability's fixtures all say http://fakehost/
        return None
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def _minhash(text: str):
    from datasketch import MinHash

    ws = _WORD.findall(text.casefold())
    grams = {" ".join(ws[i : i + SHINGLE]) for i in range(max(1, len(ws) - SHINGLE + 1))}
    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch([g.encode("utf-8") for g in sorted(grams)])
    return m


def leakage_groups(records: list[dict], sites: dict[str, str] | None = None) -> dict[str, str]:
    """doc_id → group key (the smallest doc_id in its group). ``records`` are ``real`` rows
    (``doc_id``, ``lines``, ``gold_body``, ``source.url``); ``sites`` maps a doc_id to the
    site its source names (pages without one are not in it)."""
    from datasketch import MinHashLSH

    uf = UnionFind(sorted(r["doc_id"] for r in records))
    by_site: dict[str, str] = {}
    for doc, site in sorted((sites or {}).items()):
        if doc in uf.parent:
            uf.union(by_site.setdefault(site, doc), doc)
    by_url: dict[str, str] = {}
    for r in sorted(records, key=lambda r: r["doc_id"]):
        url = normalise_url(r["source"]["url"])
        if url is None:
            continue
        if url in by_url:
            uf.union(by_url[url], r["doc_id"])
        else:
            by_url[url] = r["doc_id"]
    first_seen: dict[str, str] = {}
    for r in sorted(records, key=lambda r: r["doc_id"]):
        body = "\n".join(
            x for x, role in zip(r["lines"], r["roles"]) if role == ROLES.index("body")
        )
        for sent in sentences(body):
            if len(sent.split()) < MIN_SHARED_SENTENCE:
                continue
            if sent in first_seen:
                uf.union(first_seen[sent], r["doc_id"])
            else:
                first_seen[sent] = r["doc_id"]
    views = (
        (lambda r: "\n".join(r["lines"]), NEAR_DUP_PAGE),
        (lambda r: r["gold_body"], NEAR_DUP_BODY),
    )
    for view, threshold in views:
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        hashes = {}
        for r in sorted(records, key=lambda r: r["doc_id"]):
            m = _minhash(view(r))
            for other in lsh.query(m):
                # LSH proposes candidates; the estimate decides
                if m.jaccard(hashes[other]) >= threshold:
                    uf.union(other, r["doc_id"])
            lsh.insert(r["doc_id"], m)
            hashes[r["doc_id"]] = m
    return {doc: uf.find(doc) for doc in uf.parent}


def _order_key(group: str) -> str:
    return hashlib.sha256(f"presscut-real-split-v1:{group}".encode()).hexdigest()


def assign(
    records: list[dict], groups: dict[str, str], previous: dict[str, str] | None = None
) -> dict[str, str]:
    """doc_id → split. ``previous`` (the committed manifest) wins for pages it names."""
    previous = previous or {}
    corpus = {r["doc_id"]: r["source"]["corpus"] for r in records}
    held_out = {r["doc_id"] for r in records if r["out_of_source"]}
    members: dict[str, list[str]] = {}
    for doc, g in groups.items():
        members.setdefault(g, []).append(doc)
    out: dict[str, str] = {}
    counts: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for doc in groups:
        totals[corpus[doc]] = totals.get(corpus[doc], 0) + 1
    pending = []
    for g, docs in members.items():
        known = {previous[d] for d in docs if d in previous}
        if any(d in held_out for d in docs):
            split = "test"
        elif len(known) == 1:
            split = known.pop()
        else:  # new group, or an old one that now merges pages of two splits: re-place it
            pending.append(g)
            continue
        for d in docs:
            out[d] = split
            c = counts.setdefault(corpus[d], dict.fromkeys(SPLITS, 0))
            c[split] += 1
    for g in sorted(pending, key=_order_key):
        docs = members[g]
        src = corpus[min(docs)]
        c = counts.setdefault(src, dict.fromkeys(SPLITS, 0))
        deficit = {s: TARGET_SHARE[s] * totals[src] - c[s] for s in SPLITS}
        split = max(SPLITS, key=lambda s: (deficit[s], -SPLITS.index(s)))
        for d in docs:
            out[d] = split
            counts.setdefault(corpus[d], dict.fromkeys(SPLITS, 0))[split] += 1
    return out
