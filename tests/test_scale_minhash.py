"""The vectorised shingles are the baseline's, and their signatures estimate Jaccard as datasketch does."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("rensa")

from presscut.baselines.article_dedup import minhash_stream, shingles, words  # noqa: E402
from presscut.scale.minhash import (  # noqa: E402
    band_hashes,
    shingle_hashes,
    signatures,
    word_hashes,
)

TRICKY = [
    "Hello, World! don't stop",
    "",
    " \u00a0 ",
    "one two",
    "Zürich ＡＢＣ naïve \u201cquoted\u201d \u2014 dash 東京 tower's",
    "x_y 3.14 NBSP\u00a0here  tabs\tand\nnew lines",
    "ÉCOLE école Straße STRASSE",
    "a-b c—d e–f",
]

_ALPHABET = st.sampled_from(list("abcAB _-'\u00a0\u2019\u201c.,;\n\té東ß0123"))
texts = st.lists(st.text(_ALPHABET, max_size=60), min_size=1, max_size=6)


def _our_sets(batch: list[str], k: int) -> list[set[int]]:
    sh = shingle_hashes(word_hashes(pa.array(batch)), k)
    return [set(sh.hashes[sh.offsets[d]:sh.offsets[d + 1]].tolist()) for d in range(len(batch))]


@pytest.mark.parametrize("k", [1, 3, 5])
def test_word_counts_and_shingle_sets_match_the_baseline(k):
    tok = word_hashes(pa.array(TRICKY))
    assert np.diff(tok.offsets).tolist() == [len(words(t)) for t in TRICKY]
    ours = _our_sets(TRICKY, k)
    ref = [shingles(t, k) for t in TRICKY]
    assert [len(s) for s in ours] == [len(s) for s in ref]


@settings(max_examples=60, deadline=None)
@given(texts, st.integers(1, 4))
def test_exact_jaccard_from_hashes_equals_the_baselines(batch, k):
    # Two hash sets have the Jaccard of the string sets they stand for when the hashing
    # is injective on this data: compare every pair against the baseline's strings.
    ours = _our_sets(batch, k)
    ref = [shingles(t, k) for t in batch]
    assert [len(s) for s in ours] == [len(s) for s in ref]
    for a in range(len(batch)):
        for b in range(a + 1, len(batch)):
            ja = len(ours[a] & ours[b]), len(ours[a] | ours[b])
            jr = len(ref[a] & ref[b]), len(ref[a] | ref[b])
            assert ja == jr


def _pairs(n_pairs: int, seed: int = 0):
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(3000)]
    texts = []
    for _ in range(n_pairs):
        base = rng.choices(vocab, k=200)
        copy = list(base)
        for _ in range(rng.randrange(0, 40)):
            copy[rng.randrange(len(copy))] = rng.choice(vocab)
        texts += [" ".join(base), " ".join(copy)]
    return texts


def test_estimates_track_exact_jaccard_like_datasketch_on_the_same_shingles():
    texts = _pairs(150)
    sig, has = signatures(pa.array(texts), num_perm=128, seed=1, k=5)
    assert has.all()
    sets = [shingles(t, 5) for t in texts]
    ds = list(minhash_stream(sets, 128, 1))
    ours, theirs, exact = [], [], []
    for a in range(0, len(texts), 2):
        A, B = sets[a], sets[a + 1]
        exact.append(len(A & B) / len(A | B))
        ours.append(float((sig[a] == sig[a + 1]).mean()))
        theirs.append(ds[a].jaccard(ds[a + 1]))
    exact, ours, theirs = map(np.array, (exact, ours, theirs))
    assert exact.min() < 0.4 and exact.max() > 0.9  # the pairs span the range
    # a MinHash estimate with 128 slots has sd <= 0.045: both are unbiased and close
    assert abs((ours - exact).mean()) < 0.01
    assert np.abs(ours - exact).mean() < 0.04
    assert np.abs(ours - theirs).mean() < 0.05
    assert np.abs(ours - exact).mean() < np.abs(theirs - exact).mean() + 0.01


def test_empty_texts_have_no_words_and_identical_texts_identical_signatures():
    sig, has = signatures(pa.array(["", "same words here and there", "  ",
                                    "same words here and there"]))
    assert has.tolist() == [False, True, False, True]
    assert (sig[1] == sig[3]).all()


def test_band_hash_equal_exactly_when_the_band_slots_are_equal():
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32, size=(50, 12), dtype=np.uint32)
    sig[1] = sig[0]
    sig[2, :4] = sig[0, :4]  # shares band 0 only
    h = band_hashes(sig, 3, 4)
    slots = sig.reshape(50, 3, 4)
    for a in range(50):
        for b in range(50):
            for k in range(3):
                assert (h[a, k] == h[b, k]) == bool((slots[a, k] == slots[b, k]).all())
