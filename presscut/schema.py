"""The one place that defines presscut's label sets and record schemas.

Everything else (builder, harness, baselines, leaderboard, curation) imports
these names; change a label set here and the Parquet features, the validators
and the evaluators follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datasets import Features

SCHEMA_VERSION = "1.0"

# ---------------------------------------------------------------- label sets
ROLES: tuple[str, ...] = (
    "title",
    "dek",
    "byline",
    "dateline",
    "caption",
    "body",
    "boilerplate",
    "blank",
)
# Roles that are scored; `blank` is assigned automatically and never scored.
SCORED_ROLES: tuple[str, ...] = tuple(r for r in ROLES if r != "blank")
# Roles that may only appear inside an article span.
ARTICLE_ROLES: tuple[str, ...] = ("title", "dek", "byline", "dateline", "caption", "body")
# Roles allowed outside every article span.
OUTSIDE_ROLES: tuple[str, ...] = ("boilerplate", "blank")

DUP_KINDS: tuple[str, ...] = ("exact", "near")
STANCES: tuple[str, ...] = ("agree", "disagree", "discuss", "unrelated")
# `imported`: gold carried over from a published labelled corpus (source and licence on
# the record). Appended last so the integer codes of earlier values never change.
PROVENANCES: tuple[str, ...] = ("gold", "silver", "synthetic", "imported")
SPLITS: tuple[str, ...] = ("train", "validation", "test")
# Where a stance label came from: read by an annotator, or implied by the rule
# that articles of different stories are `unrelated` (as FNC-1 built its pairs).
STANCE_SOURCES: tuple[str, ...] = ("annotated", "cross_story_rule")

# Characters that make a line "blank" besides ordinary whitespace. str.isspace()
# already covers NBSP (U+00A0) and the other Unicode spaces; zero-width ones it
# does not, and scrapes are full of them.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def is_blank(line: str) -> bool:
    """A line is blank when it holds only whitespace (NBSP and zero-width included)."""
    return line.strip().strip(_INVISIBLE).strip() == ""


def split_lines(text: str) -> list[str]:
    """The design's definition of a line: ``text.split("\\n")[i]``."""
    return text.split("\n")


def line_char_offsets(lines: list[str]) -> list[int]:
    """Start offset (code points) of every line in the raw string, plus the end."""
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    offsets[-1] -= 1  # no newline after the last line
    return offsets


def segmentation_row(
    doc_id: str,
    lines: list[str],
    roles: list[str],
    articles: list[tuple[int, int]] = (),
    dup_groups: list[tuple[list[int], str]] = (),
    provenance: str = "gold",
) -> dict:
    """The segmentation fields of a page: role names, article line spans ``(start, end)``
    (end exclusive) and duplicate groups ``(lines, kind)``, encoded as every config stores
    them (label integers, per-line article and group indexes, character spans)."""
    offsets = line_char_offsets(list(lines))
    index, group = [-1] * len(lines), [-1] * len(lines)
    for k, (start, end) in enumerate(articles):
        index[start:end] = [k] * (end - start)
    for g, (members, _) in enumerate(dup_groups):
        for i in members:
            group[i] = g
    return {
        "doc_id": doc_id,
        "lines": list(lines),
        "roles": [ROLES.index(r) for r in roles],
        "article_index": index,
        "dup_group": group,
        "articles": [{"start_line": s, "end_line": e, "start_char": offsets[s],
                      "end_char": offsets[e - 1] + len(lines[e - 1])} for s, e in articles],
        "dup_groups": [{"lines": list(m), "kind": DUP_KINDS.index(kind)}
                       for m, kind in dup_groups],
        "provenance": PROVENANCES.index(provenance),
    }


def exact_repeats(lines: list[str]) -> list[tuple[list[int], str]]:
    """Groups of non-blank lines that repeat exactly (whitespace-trimmed) inside a page,
    for imported pages whose source marks no duplicates: the ``exact`` ones are certain."""
    seen: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if not is_blank(line):
            seen.setdefault(line.strip(), []).append(i)
    return [(g, "exact") for g in sorted((g for g in seen.values() if len(g) > 1),
                                         key=lambda g: g[0])]


def article_id(doc_id: str, k: int) -> str:
    return f"{doc_id}/{k}"


# ------------------------------------------------------------------ features
# The ``datasets`` Features are built on first use (module ``__getattr__``): importing
# ``datasets`` costs about a second, and ``presscut predict`` on one page reads none of them.
_FEATURE_NAMES = ("SPAN", "PAGES_FEATURES", "SEGMENTATION_FEATURES", "ARTICLES_FEATURES",
                  "STANCE_FEATURES", "FNC1_STANCE_FEATURES", "FNC1_ARTICLES_FEATURES",
                  "SYNTHETIC_FEATURES", "REAL_FEATURES", "CONFIG_FEATURES")


def __getattr__(name: str):
    if name in _FEATURE_NAMES:
        globals().update(_features())
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _features() -> dict:
    from datasets import ClassLabel, Features, List, Value

    def _cl(names: tuple[str, ...]) -> ClassLabel:
        return ClassLabel(names=list(names))


    SPAN = {
        "start_line": Value("int32"),
        "end_line": Value("int32"),  # exclusive
        "start_char": Value("int32"),
        "end_char": Value("int32"),  # exclusive
    }

    PAGES_FEATURES = Features(
        {
            "doc_id": Value("string"),
            "text": Value("string"),
            "sha256": Value("string"),
            "n_lines": Value("int32"),
            "n_articles": Value("int32"),
            "outlet": Value("string"),
            "outlet_evidence_lines": List(Value("int32")),
            "provenance": _cl(PROVENANCES),
            "source_file": Value("string"),
            "note": Value("string"),
        }
    )

    SEGMENTATION_FEATURES = Features(
        {
            "doc_id": Value("string"),
            "lines": List(Value("string")),
            "roles": List(_cl(ROLES)),
            # index of the article whose span holds the line, -1 outside every span
            "article_index": List(Value("int32")),
            # id of the line-duplicate group the line belongs to, -1 for none
            "dup_group": List(Value("int32")),
            "articles": List(SPAN),
            "dup_groups": List({"lines": List(Value("int32")), "kind": _cl(DUP_KINDS)}),
            "provenance": _cl(PROVENANCES),
        }
    )

    ARTICLES_FEATURES = Features(
        {
            "article_id": Value("string"),
            "doc_id": Value("string"),
            "k": Value("int32"),
            "title": Value("string"),
            "body": Value("string"),
            **SPAN,
            "dup_cluster": Value("string"),
            "story_cluster": Value("string"),
            "byline": Value("string"),
            "cited_sources": List(Value("string")),
            "outlet": Value("string"),
            "provenance": _cl(PROVENANCES),
            "note": Value("string"),
        }
    )

    STANCE_FEATURES = Features(
        {
            "pair_id": Value("string"),
            "headline_article_id": Value("string"),
            "body_article_id": Value("string"),
            "headline": Value("string"),
            "body": Value("string"),
            "stance": _cl(STANCES),
            "label_source": _cl(STANCE_SOURCES),
            "provenance": _cl(PROVENANCES),
            "note": Value("string"),
        }
    )

    # FNC-1 rows as ``presscut import fnc1`` builds them: the stance/articles layout plus
    # where each row sits in the official files (repeats are rows of their own) and
    # the source and licence of every record.
    _FNC1_EXTRA = {"source": Value("string"), "license": Value("string")}
    FNC1_STANCE_FEATURES = Features(
        {
            **STANCE_FEATURES,
            "fnc1_file": Value("string"),
            "fnc1_row": Value("int32"),
            "fnc1_body_id": Value("int32"),
            "repeat_of_row": Value("int32"),  # -1, or the earlier row with the same pair and label
            **_FNC1_EXTRA,
        }
    )
    FNC1_ARTICLES_FEATURES = Features(
        {
            **ARTICLES_FEATURES,
            "fnc1_body_id": Value("int32"),
            "related_headlines": Value("int32"),
            **_FNC1_EXTRA,
        }
    )

    # Synthetic pages share the segmentation layout and add what the generator knows.
    SYNTHETIC_FEATURES = Features(
        {
            **SEGMENTATION_FEATURES,
            "text": Value("string"),
            "layout": List(Value("string")),
            "article_ids": List(Value("string")),
            "dup_clusters": List(Value("string")),
            "story_clusters": List(Value("string")),
            "edit_level": List(Value("int32")),
            # where the page's text comes from: ``real:<doc_id>`` (a real train page) and
            # ``gold:<doc_id>`` pages, sorted; and every licence that text is under, with
            # presscut's own (the layout and generated lines) always among them
            "source_pages": List(Value("string")),
            "licences": List(Value("string")),
        }
    )

    # Real pages imported from published labelled corpora (CleanEval, Dragnet, the
    # article-extraction benchmark, …): segmentation layout plus where each page came from,
    # how it was converted, and the source's own gold body (so the alignment can be re-checked
    # without the raw sources).
    REAL_FEATURES = Features(
        {
            **SEGMENTATION_FEATURES,
            # the page text is "\n".join(lines) (not stored twice); sha256 is of that text, UTF-8
            "sha256": Value("string"),
            "source": {
                "corpus": Value("string"),
                "page_id": Value("string"),
                "url": Value("string"),
            },
            "licence": Value("string"),
            # the roles this source's gold can tell apart; role metrics use only these
            "labelled_roles": List(_cl(ROLES)),
            "converter": Value("string"),
            "html_sha256": Value("string"),
            "gold_body": Value("string"),
            "alignment_coverage": Value("float32"),
            # true for the source kept out of training entirely (the out-of-source test)
            "out_of_source": Value("bool"),
            # what a reader found doubtful in this page's gold ("" when nothing): the
            # labels stay as the source publishes them, and the note says where not to trust them
            "note": Value("string"),
        }
    )

    CONFIG_FEATURES: dict[str, Features] = {
        "pages": PAGES_FEATURES,
        "segmentation": SEGMENTATION_FEATURES,
        "articles": ARTICLES_FEATURES,
        "stance": STANCE_FEATURES,
        "synthetic": SYNTHETIC_FEATURES,
        "real": REAL_FEATURES,
    }
    return {name: value for name, value in locals().items() if name in _FEATURE_NAMES}


GOLD_CONFIGS: tuple[str, ...] = ("pages", "segmentation", "articles", "stance")


def role_id(role: str) -> int:
    return ROLES.index(role)
