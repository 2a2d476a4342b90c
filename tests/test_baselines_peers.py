"""Text-only peers run through their own libraries (the `presscut[peers]` extra).

The per-line readings are checked against the libraries on whole documents: C4's kept
lines must be the text datatrove's filter keeps; Gopher's and FineWeb's per-line counts
must give the document verdicts datatrove's filters give, rule by rule.
"""

from __future__ import annotations

import random
import re

import pytest
from toy_pages import toy_pages

from presscut.baselines import registry
from presscut.baselines.segment_linefilter import LineFilterSegmenter
from presscut.errors import PresscutError

pytest.importorskip("datatrove", reason="needs the presscut[peers] extra (CI installs it)")
pytest.importorskip("trafilatura", reason="needs the presscut[peers] extra (CI installs it)")

from datatrove.data import Document  # noqa: E402
from datatrove.pipeline.filters.c4_filters import CITATION_REGEX, C4QualityFilter  # noqa: E402
from datatrove.pipeline.filters.fineweb_quality_filter import FineWebQualityFilter  # noqa: E402
from datatrove.pipeline.filters.gopher_repetition_filter import (  # noqa: E402
    GopherRepetitionFilter,
    find_duplicates,
)

from presscut.baselines.segment_fineweb import line_marks  # noqa: E402
from presscut.baselines.segment_gopher import duplicate_fractions, repeated  # noqa: E402
from presscut.baselines.segment_trafilatura import match_back  # noqa: E402

PEERS = ["peer-c4", "peer-gopher", "peer-fineweb", "peer-trafilatura-text"]

# Lines that exercise every C4 line rule, mixed with ordinary prose.
EXTRA_LINES = [
    "Enable JavaScript to view the comments below, please.",
    "We use cookies. Read our privacy policy for details.",
    "It was cited widely [12] and disputed [citation needed].",
    "Short one.",
    "A line that trails off...",
    "\u201cQuoted speech ends the line,\u201d she said.",
    "x" * 1001 + " is a very long word indeed.",
    "Ends with a quote mark 'here'",
    "• a bulleted item with the cat and the dog",
    "Share | Tweet | Email",
]


def _documents(n: int, seed: int) -> list[list[str]]:
    """Page-like documents: toy pages with extra rule-triggering lines and repeats."""
    rng = random.Random(seed)
    docs = []
    for page in toy_pages(n, seed=seed):
        lines = [x for x in page["lines"] if "\r" not in x and "\u2028" not in x]
        for _ in range(rng.randint(0, 6)):
            lines.insert(rng.randint(0, len(lines)), rng.choice(EXTRA_LINES + lines))
        docs.append(lines)
    return docs


def _keep(name: str, lines: list[str]) -> list[bool]:
    model = registry.create(name).fit([])
    assert isinstance(model, LineFilterSegmenter)
    return model.keep(lines)


# ------------------------------------------------------------------ C4
def test_c4_per_line_keeps_what_datatrove_keeps_on_whole_pages():
    library = C4QualityFilter(min_num_sentences=-1, filter_lorem_ipsum=False,
                              filter_curly_bracket=False)
    for lines in _documents(40, seed=5):
        doc = Document(text="\n".join(lines), id="d")
        assert library.filter(doc) is True
        kept = _keep("peer-c4", lines)
        ours = "\n".join(CITATION_REGEX.sub("", x.strip()) for x, k in zip(lines, kept) if k)
        assert ours.strip() == doc.text


def test_c4_by_hand():
    lines = ["Title without a full stop", "", "The council met on Monday to vote.",
             "Enable JavaScript to see this page.", "Two words.", "We use cookies on this site."]
    assert _keep("peer-c4", lines) == [False, False, True, False, False, False]


def test_c4_page_rules_drop_a_page_with_too_few_sentences():
    lines = ["The council met on Monday to vote.", "It approved the budget."]
    assert any(_keep("peer-c4", lines))
    assert not any(registry.create("peer-c4", page_rules=True).keep(lines))


# ------------------------------------------------------------------ Gopher
def test_repeated_counts_what_datatrove_counts():
    rng = random.Random(3)
    pool = ["a", "bb", "ccc", "dd dd", "the end"]
    for _ in range(200):
        xs = [rng.choice(pool) for _ in range(rng.randint(1, 12))]
        marks = repeated(xs)
        assert find_duplicates(xs) == (sum(marks), sum(len(x) for x, m in zip(xs, marks) if m))


@pytest.mark.parametrize("rule", ["dup_line_frac", "dup_line_char_frac"])
def test_gopher_duplicate_line_rule_matches_datatrove_on_documents(rule):
    only = {k: None for k in ("dup_line_frac", "dup_para_frac", "dup_line_char_frac",
                              "dup_para_char_frac")}
    only[rule] = 0.3 if rule == "dup_line_frac" else 0.2
    library = GopherRepetitionFilter(**only, top_n_grams=(), dup_n_grams=())
    verdicts = set()
    for k, lines in enumerate(_documents(30, seed=7) + _repetitive_documents(30)):
        text = "\n".join(lines)
        if not text.strip():
            continue
        elements = re.split("\n+", text)
        frac, char_frac = duplicate_fractions(elements, len(text))
        ours = (frac if rule == "dup_line_frac" else char_frac) <= only[rule]
        assert ours == (library.filter(Document(text=text, id=str(k))) is True), lines
        verdicts.add(ours)
    assert verdicts == {True, False}  # both outcomes were exercised


def _repetitive_documents(n: int) -> list[list[str]]:
    rng = random.Random(11)
    pool = ["Share this article", "Advertisement", "The minister spoke on Tuesday.",
            "Rain is expected over the weekend in the north.", "Read more"]
    return [[rng.choice(pool) for _ in range(rng.randint(2, 15))] for _ in range(n)]


def test_gopher_per_line_by_hand():
    lines = [
        "The minister said that the plan would have to wait until spring.",  # kept
        "Share | Tweet | Email",  # no stop words
        "The minister said that the plan would have to wait until spring.",  # a repeat
        "• and the bullet of the list",  # bullet line
        "It was the end of the story and that was that...",  # ends with an ellipsis
        "",
        "### ### the and of ###",  # hashes
    ]
    assert _keep("peer-gopher", lines) == [True, False, False, False, False, False, False]


# ------------------------------------------------------------------ FineWeb
@pytest.mark.parametrize("rule", ["line_punct_ratio", "short_line_ratio", "char_dup_ratio"])
def test_fineweb_line_counts_match_datatrove_on_documents(rule):
    off = {"line_punct_thr": 0.0, "short_line_thr": 1.0, "char_duplicates_ratio": 1.0,
           "new_line_ratio": 1e9}
    on = {"line_punct_ratio": ("line_punct_thr", 0.12),
          "short_line_ratio": ("short_line_thr", 0.67),
          "char_dup_ratio": ("char_duplicates_ratio", 0.01)}[rule]
    library = FineWebQualityFilter(**{**off, on[0]: on[1]})
    verdicts = set()
    docs = _documents(30, seed=9) + _repetitive_documents(30)
    docs += [["Menu", "Home", "About us", "The lone sentence of prose ends here."]]
    for k, lines in enumerate(docs):
        text = "\n".join(lines)
        m = line_marks(text)
        if not m.lines:
            continue
        n = len(m.lines)
        ours = {
            "line_punct_ratio": sum(m.punct) / n >= 0.12,
            "short_line_ratio": sum(m.short) / n <= 0.67,
            "char_dup_ratio": sum(len(x) for x, d in zip(m.lines, m.dup) if d)
            / len(text.replace("\n", "")) <= 0.01,
        }[rule]
        assert ours == (library.filter(Document(text=text, id=str(k))) is True), lines
        verdicts.add(ours)
    assert verdicts == {True, False}


def test_fineweb_per_line_by_hand():
    lines = ["Menu", "The council approved the budget on Monday night.", "",
             "The council approved the budget on Monday night.", "A long line without an end mark"]
    assert _keep("peer-fineweb", lines) == [False, True, False, False, False]


# ------------------------------------------------------------------ trafilatura
def test_match_back_by_hand():
    lines = ["Home", "First  paragraph here.", "", "Second one.", "Home"]
    assert match_back(lines, "First paragraph here.\nSecond one.") == [False, True, False,
                                                                        True, False]
    # forward first (the later "Home"), then from the top; an invented line is ignored
    assert match_back(lines, "Second one.\nHome\nNot on the page") == [False, False, False,
                                                                       True, True]
    assert match_back(lines, "Second one.\nHome\nHome") == [True, False, False, True, True]


def test_trafilatura_keeps_prose_of_a_page():
    prose = [f"Paragraph {k} tells the reader what the council decided and why it matters to "
             f"the town, in a sentence long enough to count as text." for k in range(6)]
    kept = _keep("peer-trafilatura-text", ["", *prose, ""])
    assert kept[1:-1] == [True] * 6 and kept[0] is False and kept[-1] is False


# ------------------------------------------------------------------ all peers
@pytest.mark.parametrize("name", PEERS)
def test_peer_rows_name_library_and_version(name):
    from importlib import metadata

    model = registry.create(name)
    text = model.describe()
    assert model.library in text and metadata.version(model.library) in text


def test_missing_peer_library_is_a_one_line_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import now raises ImportError
    with pytest.raises(PresscutError, match=r"presscut\[peers\]"):
        registry.create("peer-trafilatura-text").fit([])
