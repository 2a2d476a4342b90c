"""Vectorised MinHash over Arrow string arrays: word shingles hashed in NumPy, signatures by rensa.

The article-dedup baseline tokenises in Python (``re.findall`` after NFKC/casefold) and
feeds byte strings to datasketch one article at a time. Here a whole record batch is
tokenised at once on its UTF-8 bytes:

- rows that are pure ASCII (nearly all English news text) need no Unicode work: a byte
  is a word byte when it is ``[0-9A-Za-z_]``, exactly Python's ``\\w`` on such text;
- other rows are NFKC-normalised and case-folded (in Python: Arrow has no casefold), and have every run of non-word characters
  (``[^\\pL\\pN_]``, Python's ``\\w`` for letters and numbers) replaced by a space in Arrow
  compute, after which the same byte rule holds (non-ASCII bytes are then word bytes).

So the word sequence of a text is the baseline's :func:`~presscut.baselines.article_dedup.words`
(tests check the shingle sets coincide). Each word is hashed with a polynomial hash over
its bytes, all words of the batch advancing one byte position per NumPy step; k consecutive word
hashes combine into a shingle hash, and a text shorter than k words is one shingle of all
its words, as in the baseline. ``rensa`` (Rust) turns the flat shingle-hash buffer into
128-permutation signatures without a Python object per article.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_U64 = np.uint64
_P = 0x100000001B3  # FNV prime
_Q = 0x9E3779B97F4A7C15  # golden-ratio constant: shingle position weights

# ASCII lower-casing and word-byte tables (bytes >= 0x80 are word bytes: after the
# Unicode pass they only occur inside letters and numbers).
_LOWER = np.arange(256, dtype=np.uint8)
_LOWER[65:91] += 32
_VAL = _LOWER.astype(_U64) + _U64(1)  # byte values of the word hash, never 0
_IS_WORD = np.zeros(256, dtype=bool)
for _lo, _hi in ((48, 58), (65, 91), (97, 123), (128, 256)):
    _IS_WORD[_lo:_hi] = True
_IS_WORD[95] = True  # "_" is in \w

# Typographic variants the baseline folds before tokenising; all are non-word characters,
# so replacing non-word runs by spaces already folds them.
_NON_WORD_RUN = r"[^\pL\pN_]+"


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijection on uint64 that spreads every input bit."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def normalise_array(texts: pa.Array) -> pa.Array:
    """The texts with non-ASCII rows NFKC-folded, case-folded and non-word runs made spaces."""
    texts = pc.fill_null(texts.cast(pa.large_string()), "")
    ascii_rows = pc.string_is_ascii(texts)
    if pc.all(ascii_rows).as_py() is not False:
        return texts
    other = pc.indices_nonzero(pc.invert(ascii_rows))
    # casefold (not lower: "Straße" and "STRASSE" are one word) has no Arrow kernel
    folded = pa.array([unicodedata.normalize("NFKC", t).casefold()
                       for t in pc.take(texts, other).to_pylist()], pa.large_string())
    folded = pc.replace_substring_regex(folded, _NON_WORD_RUN, " ")
    return _scatter(texts, other, folded)


def _scatter(texts: pa.Array, at: pa.Array, values: pa.Array) -> pa.Array:
    """``texts`` with rows ``at`` replaced by ``values``."""
    pos = np.full(len(texts), -1, dtype=np.int64)
    pos[at.to_numpy()] = np.arange(len(at))
    take_new = pa.array(pos >= 0)
    merged = pc.if_else(take_new, pc.take(values, pa.array(np.maximum(pos, 0))), texts)
    return merged


@dataclass
class Tokens:
    """Word hashes of a batch: ``hashes[offsets[d]:offsets[d+1]]`` are document d's words."""

    hashes: np.ndarray  # uint64, one per word, in text order
    offsets: np.ndarray  # int64, len = n_docs + 1


def word_hashes(texts: pa.Array) -> Tokens:
    """Hash every word of every text (see the module docstring for what a word is)."""
    arr = normalise_array(texts)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    _, off_buf, data_buf = arr.buffers()
    offs = np.frombuffer(off_buf, dtype=np.int64)[arr.offset : arr.offset + n + 1]
    base = int(offs[0]) if n else 0
    end = int(offs[-1]) if n else 0
    data = np.frombuffer(data_buf, dtype=np.uint8)[base:end] if data_buf is not None and end > base \
        else np.zeros(0, np.uint8)
    offs = offs - base
    m = len(data)
    if m == 0:
        return Tokens(np.zeros(0, _U64), np.zeros(n + 1, np.int64))
    is_word = _IS_WORD[data]
    doc_start = np.zeros(m, dtype=bool)
    starts_nonempty = offs[:-1][offs[:-1] < offs[1:]]
    doc_start[starts_nonempty] = True
    prev_word = np.empty(m, dtype=bool)
    prev_word[0] = False
    prev_word[1:] = is_word[:-1]
    next_start = np.empty(m, dtype=bool)
    next_start[:-1] = doc_start[1:]
    next_start[-1] = True
    next_word = np.empty(m, dtype=bool)
    next_word[-1] = False
    next_word[:-1] = is_word[1:]
    w_start = np.flatnonzero(is_word & (~prev_word | doc_start))
    w_end = np.flatnonzero(is_word & (~next_word | next_start)) + 1
    # polynomial hash of each word's bytes, one byte position at a time over the words
    # still that long: the work is the total word length, with no per-byte arrays
    lens = w_end - w_start
    raw = np.zeros(len(w_start), dtype=_U64)
    active = np.arange(len(w_start))
    j = 0
    while active.size:
        raw[active] = raw[active] * _U64(_P) + _VAL[data[w_start[active] + j]]
        j += 1
        active = active[lens[active] > j]
    hashes = _mix(raw + lens.astype(_U64) * _U64(_Q))
    doc_of_word = np.searchsorted(offs, w_start, side="right") - 1
    counts = np.bincount(doc_of_word, minlength=n)
    w_offs = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=w_offs[1:])
    return Tokens(hashes, w_offs)


def shingle_hashes(tokens: Tokens, k: int) -> Tokens:
    """Hashes of word k-shingles per document; a text of 1..k-1 words is one shingle."""
    h, offs = tokens.hashes, tokens.offsets
    nw = len(h)
    n = len(offs) - 1
    if nw == 0:
        return Tokens(np.zeros(0, _U64), np.zeros(n + 1, np.int64))
    counts = np.diff(offs)
    doc = np.repeat(np.arange(n), counts)
    doc_end = offs[1:][doc]  # exclusive end word index of each word's document
    pos = np.arange(nw)
    acc = np.zeros(nw, dtype=_U64)
    for j in range(k):
        idx = pos + j
        inside = idx < doc_end
        term = np.where(inside, h[np.minimum(idx, nw - 1)], _U64(0))
        acc += term * _U64(pow(_Q, j + 1, 2**64))
    n_in = np.minimum(doc_end - pos, k)
    full = pos + k <= doc_end
    short_doc_first = (counts[doc] < k) & (pos == offs[:-1][doc])
    keep = full | short_doc_first
    out = _mix(acc[keep] + n_in[keep].astype(_U64))
    sh_counts = np.bincount(doc[keep], minlength=n)
    sh_offs = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sh_counts, out=sh_offs[1:])
    return Tokens(out, sh_offs)


def signatures_from_hashes(shingles: Tokens, num_perm: int, seed: int) -> np.ndarray:
    """(n_docs, num_perm) uint32 MinHash signatures; rows of empty documents are all 2**32-1."""
    from rensa import RMinHash

    n = len(shingles.offsets) - 1
    if n == 0:
        return np.zeros((0, num_perm), dtype=np.uint32)
    mat = RMinHash.digest_matrix_from_flat_token_hashes(
        shingles.hashes, shingles.offsets.astype(_U64), num_perm=num_perm, seed=seed)
    return np.asarray(mat.to_rows(), dtype=np.uint32).reshape(n, num_perm)


def signatures(texts: pa.Array, *, num_perm: int = 128, seed: int = 1, k: int = 5
               ) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures of texts and a mask of the texts that have at least one word."""
    sh = shingle_hashes(word_hashes(texts), k)
    return signatures_from_hashes(sh, num_perm, seed), np.diff(sh.offsets) > 0


def band_hashes(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64: band b hashes signature slots [b*rows, (b+1)*rows)."""
    n = sigs.shape[0]
    cut = sigs[:, : bands * rows].reshape(n, bands, rows).astype(_U64)
    acc = np.zeros((n, bands), dtype=_U64)
    for j in range(rows):
        acc = _mix(acc ^ cut[:, :, j]) if j else cut[:, :, 0] + _U64(_Q)
    return _mix(acc)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise share of equal signature slots (the MinHash estimate of Jaccard similarity)."""
    return (a == b).mean(axis=1)
