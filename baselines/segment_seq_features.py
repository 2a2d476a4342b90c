"""Line features for the sequence segmenter, computed for a whole batch of pages at once.

Speed is a goal (thousands of pages a second on one core), so nothing here loops over
characters in Python and almost nothing loops over lines: the batch's lines are joined
into one string, its code points go through lookup tables (character class, word
character, blank), and per-line counts are ``np.bincount`` sums. The batch is casefolded in
one call; neither its words nor its whole lines are ever Python strings: their code points
get a 64-bit hash in NumPy (:func:`segment_hashes`), looked up in the lexicon's hash tables
(:class:`_HashIndex`). Context (the lines around a line, the page it sits
in) comes from cumulative sums clipped at page edges.

A line's features: its own shape (length, words, case, digits, punctuation, how it ends
and starts), its words (stop-word share; per-word and whole-line boilerplate log-odds
learned from train pages, :class:`Lexicon`), its repetition inside the page, its place
on the page (relative position, distance to the page's main run of prose), and the same
summaries for neighbouring non-blank lines and windows of them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from presscut.errors import PresscutError
from presscut.schema import is_blank

# character classes of the lookup table
UPPER, LOWER, DIGIT, SPACE, PUNCT, SYMBOL, OTHER_LETTER, CONTROL = range(8)
N_CLASSES = 8
_SEP = "\x00"  # joins the lines of a batch; a control character, so never a word char
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # what presscut.schema.is_blank also strips
_TERMINAL = ".!?…。！？\"'”’»)"
_OPENERS = "•·*-–—|>»©#[(+"
_PIPES = "|»›/"
# On casefolded lines with ASCII digits masked as 0 (the lexicon's keys).
_DATE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? 0{1,2}\b|\b0{1,2} "
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b0000-00-00\b|\b0{1,2}[/.]0{1,2}"
    r"[/.]0{2,4}\b|\b0{1,2}:00\b|\b0000\b")
_URLISH = re.compile(r"https?://|www\.|\.com\b|\.html?\b|@\w+\.\w")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, imported only when a lexicon is fitted (a
    fitted lexicon carries its stop-word mask; predicting never imports scikit-learn)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, str]]:
    """Per BMP code point: class, word character?, blank-ish?; and the translate table
    that turns every non-word character into a space (so ``split()`` gives the words)."""
    cls = np.full(0x10000, OTHER_LETTER, dtype=np.int8)
    word = np.ones(0x10000, dtype=bool)
    blankish = np.zeros(0x10000, dtype=bool)
    to_space: dict[int, str] = {}
    for c in range(0x10000):
        ch = chr(c)
        cat = unicodedata.category(ch)
        if cat in ("Lu", "Lt"):
            cls[c] = UPPER
        elif cat == "Ll":
            cls[c] = LOWER
        elif cat == "Nd":
            cls[c] = DIGIT
        elif cat[0] == "Z":
            cls[c] = SPACE
        elif cat[0] == "P":
            cls[c] = PUNCT
        elif cat[0] == "S":
            cls[c] = SYMBOL
        elif cat[0] == "C":
            cls[c] = SPACE if ch.isspace() else CONTROL
        if cat[0] in "PSZC":
            word[c] = False
            to_space[c] = " "
        blankish[c] = ch.isspace() or ch in _INVISIBLE
    return cls, word, blankish, to_space


@lru_cache(maxsize=16)
def _char_set(chars: str) -> np.ndarray:
    table = np.zeros(0x10000, dtype=bool)
    table[[ord(c) for c in chars]] = True
    return table


@lru_cache(maxsize=1)
def _digit_mask() -> dict[int, str]:
    return {ord(d): "0" for d in "0123456789"}


def normalise_line(line: str) -> str:
    """Casefolded, stripped, ASCII digits masked: the key of the line lexicon."""
    return line.casefold().translate(_digit_mask()).strip()


def tokens(line: str) -> list[str]:
    """Casefolded runs of word characters (letters, digits, marks)."""
    return line.translate(_tables()[3]).casefold().split()


# ------------------------------------------------------------------ hashing
_HASH_BLOCK = 1 << 16
_BLOCK_MIX = np.uint64(0xD6E8FEB86659FD93)
_LEN_MIX = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=1)
def _hash_weights() -> np.ndarray:
    # a fixed seed: the same text must hash the same in every process and on every run
    return np.random.default_rng(20261202).integers(0, 2**64 - 1, size=_HASH_BLOCK,
                                                   dtype=np.uint64, endpoint=True)


def segment_hashes(cps: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each run ``cps[start:start + length]`` of code points.

    A random linear hash (per-position random weights, wrapping uint64 arithmetic): two
    different runs share a hash with probability about 2**-64, so looking words and lines
    up by hash gives what looking them up by string gives, without making a Python string
    of each.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    out = lengths.astype(np.uint64) * _LEN_MIX
    total = int(lengths.sum())
    if total == 0:
        return out
    seg_off = np.cumsum(lengths) - lengths
    pos = np.arange(total, dtype=np.int64) - np.repeat(seg_off, lengths)
    weight = _hash_weights()[pos & (_HASH_BLOCK - 1)]
    if int(lengths.max()) > _HASH_BLOCK:
        weight += (pos >> 16).astype(np.uint64) * _BLOCK_MIX
    vals = cps[np.repeat(np.asarray(starts, dtype=np.int64) - seg_off, lengths)
               + np.arange(total, dtype=np.int64)].astype(np.uint64)
    vals *= weight
    nonempty = lengths > 0
    out[nonempty] += np.add.reduceat(vals, seg_off[nonempty])
    return out


def _string_hashes(strings: list[str]) -> np.ndarray:
    joined = _SEP.join(strings)
    cps = _codepoints(joined)
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    starts = np.cumsum(lengths + 1) - lengths - 1
    return segment_hashes(cps, starts, lengths)


class _HashIndex:
    """Values looked up by 64-bit hash: open addressing with linear probing, in NumPy.

    A batch looks up ~300k word hashes; ``searchsorted`` over the sorted hashes of 50k
    vocabulary words took ~100 ns a query (16 dependent binary-search steps), a table at
    most a quarter full finds almost every query at its first slot (one gather and one
    compare per probe round, over the queries still unresolved).
    """

    def __init__(self, hashes: np.ndarray, values: np.ndarray):
        n = len(hashes)
        if n > 1 and len(np.unique(hashes)) < n:  # pragma: no cover - odds about 2**-40
            raise PresscutError("seg-seq: two lexicon entries share a hash; change the hash seed")
        bits = max(4, (4 * n).bit_length())  # at most a quarter of the slots in use
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._keys = np.zeros(1 << bits, dtype=np.uint64)
        self._used = np.zeros(1 << bits, dtype=bool)
        self._values = np.zeros((1 << bits,) + values.shape[1:], dtype=values.dtype)
        # insert in rounds: each free slot takes the first entry probing it, the rest move on
        # to the next slot (everything an entry passed is taken, so a lookup finds it there)
        pending = np.arange(n)
        slot = self._home(hashes)
        while len(pending):
            free = ~self._used[slot]
            taken, first = np.unique(slot[free], return_index=True)
            won = pending[free][first]
            self._keys[taken] = hashes[won]
            self._used[taken] = True
            self._values[taken] = values[won]
            moved = np.ones(n, dtype=bool)
            moved[won] = False
            keep = moved[pending]
            pending, slot = pending[keep], (slot[keep] + 1) & self._mask

    def _home(self, h: np.ndarray) -> np.ndarray:
        return (h >> self._shift).astype(np.intp)

    def get(self, h: np.ndarray, missing) -> np.ndarray:
        """The value of each hash in ``h``; ``missing`` where the table lacks it."""
        out = np.full((len(h),) + self._values.shape[1:], missing, dtype=self._values.dtype)
        pending = np.arange(len(h))
        slot, want = self._home(h), h
        while len(pending):
            used = self._used[slot]
            hit = used & (self._keys[slot] == want)
            out[pending[hit]] = self._values[slot[hit]]
            go = used & ~hit  # an occupied slot holding another key: probe the next one
            pending, want, slot = pending[go], want[go], (slot[go] + 1) & self._mask
        return out


def _pack(keys: list[str]) -> tuple[str, np.ndarray]:
    """Strings as one string and their lengths (any character may occur in a key)."""
    return "".join(keys), np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))


def _unpack(joined: str, lengths: np.ndarray) -> list[str]:
    ends = np.cumsum(lengths).tolist()
    return [joined[a:b] for a, b in zip([0, *ends[:-1]], ends)]


# ------------------------------------------------------------------ lexicon
@dataclass
class Lexicon:
    """Smoothed boilerplate log-odds of words and of whole lines, learned from train pages.

    A word's log-odds compares how often it occurs in boilerplate vs article lines; a
    whole line's compares on how many pages that exact (normalised) line was boilerplate
    vs article text: stock phrases ("Share this article", "Advertisement") recur across
    pages and sites. Counted with add-``alpha`` smoothing; words seen on fewer than
    ``min_word_pages`` pages and lines on fewer than ``min_pages`` are left out.
    """

    word_ids: dict[str, int] = field(default_factory=dict)
    word_logodds: np.ndarray = field(default_factory=lambda: np.zeros(1))
    stop_mask: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=bool))
    line_logodds: dict[str, float] = field(default_factory=dict)
    line_pages: dict[str, int] = field(default_factory=dict)

    def __getstate__(self) -> dict:
        # each string table goes as one string and arrays: as tens of thousands of small
        # str objects it took joblib's pure-Python unpickler half a second to load (most of
        # `presscut predict` on one page). The hash tables are derived, so they are left
        # out, and the dicts keep their order: a saved model stays the same bytes
        words, lines = list(self.word_ids), list(self.line_logodds)
        return {
            "word_logodds": self.word_logodds, "stop_mask": self.stop_mask,
            "words": _pack(words),
            "word_id": np.fromiter(self.word_ids.values(), dtype=np.int64, count=len(words)),
            "lines": _pack(lines),
            "line_logodds": np.fromiter(self.line_logodds.values(), dtype=np.float64,
                                        count=len(lines)),
            "line_pages": np.fromiter(map(self.line_pages.__getitem__, lines),
                                      dtype=np.int64, count=len(lines)),
        }

    def __setstate__(self, state: dict) -> None:
        if "words" not in state:  # saved before the tables were packed: plain dicts
            self.__dict__.update(state)
            return
        words, lines = _unpack(*state["words"]), _unpack(*state["lines"])
        self.word_ids = dict(zip(words, state["word_id"].tolist()))
        self.word_logodds, self.stop_mask = state["word_logodds"], state["stop_mask"]
        self.line_logodds = dict(zip(lines, state["line_logodds"].tolist()))
        self.line_pages = dict(zip(lines, state["line_pages"].tolist()))

    def line_table(self) -> _HashIndex:
        """Line-key hash -> [log-odds, pages] of the lexicon's lines."""
        if "_line_table" not in self.__dict__:
            keys = list(self.line_logodds)
            vals = np.empty((len(keys), 2))
            vals[:, 0] = np.fromiter(map(self.line_logodds.__getitem__, keys), dtype=np.float64,
                                     count=len(keys))
            vals[:, 1] = np.fromiter(map(self.line_pages.__getitem__, keys), dtype=np.float64,
                                     count=len(keys))
            self._line_table = _HashIndex(_string_hashes(keys), vals)
        return self._line_table

    def word_table(self) -> _HashIndex:
        """Word hash -> word id (0: unknown), so a batch's words are looked up in NumPy
        instead of one ``dict.get`` per word on a Python string made for each."""
        if "_word_table" not in self.__dict__:
            keys = list(self.word_ids)
            ids = np.fromiter(self.word_ids.values(), dtype=np.int64, count=len(keys))
            self._word_table = _HashIndex(_string_hashes(keys), ids)
        return self._word_table

    @classmethod
    def fit(cls, pages: list[dict], *, alpha: float = 1.0, min_word_pages: int = 3,
            min_pages: int = 2, max_words: int = 50_000) -> Lexicon:
        w_boiler: Counter = Counter()
        w_art: Counter = Counter()
        w_pages: Counter = Counter()
        l_boiler: Counter = Counter()
        l_art: Counter = Counter()
        for page in pages:
            seen_w: set[str] = set()
            seen_l: dict[str, bool] = {}
            for line, role in zip(page["lines"], page["roles"]):
                if role == "blank" or is_blank(line):
                    continue
                boiler = role == "boilerplate"
                ws = tokens(line)
                (w_boiler if boiler else w_art).update(ws)
                seen_w.update(ws)
                key = normalise_line(line)
                if len(key) <= SHORT_LINE:
                    # a line that is article text anywhere on the page counts as article
                    seen_l[key] = seen_l.get(key, True) and boiler
            w_pages.update(seen_w)
            for key, boiler in seen_l.items():
                (l_boiler if boiler else l_art)[key] += 1
        nb, na = sum(w_boiler.values()) + alpha, sum(w_art.values()) + alpha
        # ties broken by the word, not by Counter order: that order comes from iterating
        # sets of strings, which differs between processes (hash randomisation), and a
        # refit must give the same vocabulary when more than max_words words qualify
        ranked = sorted((kv for kv in w_pages.items() if kv[1] >= min_word_pages),
                        key=lambda kv: (-kv[1], kv[0]))
        vocab = {w for w, _ in ranked[:max_words]}
        vocab |= stop_words()
        word_ids = {w: k + 1 for k, w in enumerate(sorted(vocab))}  # 0: unknown word
        lo = np.zeros(len(word_ids) + 1)
        stop = np.zeros(len(word_ids) + 1, dtype=bool)
        for w, k in word_ids.items():
            lo[k] = math.log((w_boiler[w] + alpha) / nb) - math.log((w_art[w] + alpha) / na)
            stop[k] = w in stop_words()
        line_logodds, line_pages = {}, {}
        for key in sorted(set(l_boiler) | set(l_art)):
            n = l_boiler[key] + l_art[key]
            if n >= min_pages:
                line_logodds[key] = math.log((l_boiler[key] + alpha) / (l_art[key] + alpha))
                line_pages[key] = n
        return cls(word_ids, lo, stop, line_logodds, line_pages)


# ------------------------------------------------------------------ features
OWN = (
    "log_chars", "log_words", "mean_word_len", "upper_share", "digit_share", "punct_share",
    "symbol_share", "capword_share", "ends_terminal", "ends_colon", "ends_comma",
    "ends_ellipsis", "starts_upper", "starts_opener", "starts_lower", "stop_share",
    "word_logodds_mean", "word_logodds_max", "word_logodds_min", "known_word_share",
    "line_logodds", "line_log_pages", "date", "urlish", "pipes", "repeats_in_page",
    "first_copy", "blank_before", "blank_after",
)
CONTEXT = ("log_chars", "stop_share", "ends_terminal", "word_logodds_mean", "line_logodds",
           "punct_share", "capword_share")
WINDOWS = (1, 3, 8)
NEIGHBOURS = (-2, -1, 1, 2)
PAGE = ("position", "char_position", "len_vs_max", "len_vs_median", "page_log_lines",
        "in_main_run", "dist_to_main_run", "before_main_run", "after_main_run",
        "line_logodds_page_mean")


def feature_names() -> list[str]:
    names = list(OWN)
    names += [f"{c}@{d:+d}" for d in NEIGHBOURS for c in CONTEXT]
    names += [f"{c}~{w}" for w in WINDOWS for c in CONTEXT]
    names += list(PAGE)
    return names


@dataclass
class Batch:
    """The non-blank lines ("rows") of a batch of pages, in order, and their features."""

    page_of: np.ndarray  # page index of each row
    line_of: np.ndarray  # line number (in its page) of each row
    offsets: np.ndarray  # row offsets of each page (len = pages + 1)
    X: np.ndarray


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _line_sums(mask: np.ndarray, line_start: np.ndarray) -> np.ndarray:
    """Per line, the sum of ``mask`` over its characters (each line ends with a separator,
    so consecutive starts always differ and ``reduceat`` never sees an empty slice)."""
    return np.add.reduceat(mask, line_start, dtype=np.int64)


def featurise(pages: list[list[str]], lexicon: Lexicon) -> Batch:
    n_lines = [len(lines) for lines in pages]
    all_lines = [line for lines in pages for line in lines]
    total = len(all_lines)
    joined = _SEP.join(all_lines) + _SEP
    if joined.count(_SEP) != total:
        # a line holds the separator itself (scraped text can carry NULs): later steps find
        # line ends by it, so such a line would shift every later line's keys in the batch
        # (other pages included); a space keeps the line's length and, like NUL, is blank
        all_lines = [line.replace(_SEP, " ") for line in all_lines]
        joined = _SEP.join(all_lines) + _SEP
    cps = _codepoints(joined)
    bmp = np.minimum(cps, 0xFFFF)
    astral = cps > 0xFFFF
    lens = np.fromiter(map(len, all_lines), dtype=np.int64, count=total)
    line_start = np.zeros(total, dtype=np.int64)
    if total > 1:
        line_start[1:] = np.cumsum(lens[:-1] + 1)
    cls_t, word_t, blank_t, _ = _tables()
    # a line is blank when every character is whitespace or zero-width (is_blank's rule)
    solid = ~blank_t[bmp] & (cps != 0) | astral
    n_solid = _line_sums(solid, line_start) if total else np.zeros(0, dtype=np.int64)
    rows = np.flatnonzero(n_solid > 0)
    n = len(rows)
    page_idx = np.repeat(np.arange(len(pages)), n_lines)
    first_line = np.concatenate([[0], np.cumsum(n_lines)]).astype(np.int64)
    page_of = page_idx[rows]
    line_of = rows - first_line[page_of]
    offsets = np.searchsorted(page_of, np.arange(len(pages) + 1), side="left")
    names = feature_names()
    X = np.zeros((n, len(names)), dtype=np.float32)
    batch = Batch(page_of, line_of, offsets.astype(np.int64), X)
    if n == 0:
        return batch
    col = {name: k for k, name in enumerate(names)}
    own = _own_features(all_lines, rows, page_of, joined, cps, bmp, astral, line_start, lens,
                        solid, lexicon)
    # blank lines before / after each row, inside its page
    gap_before = np.diff(np.concatenate([[-1], rows])) - 1
    new_page = np.concatenate([[True], page_of[1:] != page_of[:-1]])
    gap_before = np.where(new_page, line_of, gap_before)
    last_of_page = np.concatenate([page_of[1:] != page_of[:-1], [True]])
    gap_after = np.where(last_of_page, np.asarray(n_lines)[page_of] - 1 - line_of,
                         np.concatenate([gap_before[1:], [0]]))
    own["blank_before"] = np.minimum(gap_before, 3) / 3
    own["blank_after"] = np.minimum(gap_after, 3) / 3
    own["repeats_in_page"], own["first_copy"] = _repeats(own.pop("_key_hash"), page_of,
                                                         own.pop("_alone"))
    for name in OWN:
        X[:, col[name]] = own[name]
    starts, ends = batch.offsets[:-1], batch.offsets[1:]
    row_start = np.repeat(starts, ends - starts)
    row_end = np.repeat(ends, ends - starts)
    idx = np.arange(n)
    for c in CONTEXT:
        v = own[c].astype(np.float64)
        for d in NEIGHBOURS:
            j = idx + d
            ok = (j >= row_start) & (j < row_end)
            X[:, col[f"{c}@{d:+d}"]] = np.where(ok, v[np.clip(j, 0, n - 1)], -1.0)
        cs = np.concatenate([[0.0], np.cumsum(v)])
        for w in WINDOWS:
            lo = np.maximum(idx - w, row_start)
            hi = np.minimum(idx + w + 1, row_end)
            X[:, col[f"{c}~{w}"]] = (cs[hi] - cs[lo]) / (hi - lo)
    page = _page_features(own, batch, row_start, row_end)
    for name in PAGE:
        X[:, col[name]] = page[name]
    return batch


#: lines longer than this are never looked up in the line lexicon nor searched for dates
#: or addresses: such lines are prose, and the string work is what costs time
SHORT_LINE = 200


def _own_features(all_lines, rows, page_of, joined, cps, bmp, astral, line_start, lens,
                  solid, lexicon: Lexicon) -> dict[str, np.ndarray]:
    cls_t, word_t, _, _ = _tables()
    n = len(rows)
    total = len(all_lines)
    cls = cls_t[bmp]
    cls[astral] = OTHER_LETTER
    r_start = line_start[rows]
    # every character's line (the separator after a line counts as its own, class CONTROL)
    char_line = np.repeat(np.arange(total), lens + 1)
    by_class = np.bincount(char_line * N_CLASSES + cls, minlength=total * N_CLASSES)
    by_class = by_class.reshape(total, N_CLASSES)[rows].astype(np.float64)
    upper, lower = by_class[:, UPPER], by_class[:, LOWER]
    digits, punct, symbol = by_class[:, DIGIT], by_class[:, PUNCT], by_class[:, SYMBOL]

    def row_sums(mask: np.ndarray) -> np.ndarray:
        return _line_sums(mask, line_start)[rows].astype(np.float64)

    is_word = word_t[bmp] | astral
    is_word[cps == 0] = False
    word_start = is_word.copy()
    word_start[1:] &= ~is_word[:-1]
    n_words_all = _line_sums(word_start, line_start)
    nw = n_words_all[rows].astype(np.float64)
    capwords = row_sums(word_start & (cls == UPPER))
    word_chars = row_sums(is_word)
    # first and last solid character of each row: the stripped line's ends
    solid_pos = np.flatnonzero(solid)
    first = solid_pos[np.searchsorted(solid_pos, r_start)]
    last = solid_pos[np.searchsorted(solid_pos, r_start + lens[rows]) - 1]
    n_chars = (last - first + 1).astype(np.float64)
    first_ch, last_ch = cps[first], cps[last]
    prev_last = cps[np.maximum(last - 2, 0)]

    def among(chars: str, cp: np.ndarray) -> np.ndarray:
        return _char_set(chars)[np.minimum(cp, 0xFFFF)] & (cp <= 0xFFFF)

    # words and line keys come from one casefold of the whole batch: casefolding keeps
    # word characters word characters and others others, and changes lengths only inside
    # words, so the batch's words are the runs of word characters of the casefolded batch;
    # each run is hashed in NumPy and looked up in the lexicon's word table (no Python
    # string per word: that and one dict.get each were a fifth of predict's time)
    folded = _codepoints(joined.casefold())
    f_bmp = np.minimum(folded, 0xFFFF)
    f_word = (word_t[f_bmp] | (folded > 0xFFFF)).view(np.int8)
    edge = np.diff(f_word, prepend=np.int8(0), append=np.int8(0))  # +1: a word starts, -1: ended
    tok_start = np.flatnonzero(edge == 1)
    tok_len = np.flatnonzero(edge == -1) - tok_start
    nw_all = n_words_all.astype(np.int64)
    if len(tok_start) != int(nw_all.sum()):  # pragma: no cover - see the comment above
        raise PresscutError("seg-seq: internal error: casefolding changed the word count")
    tok_line = np.repeat(np.arange(total), nw_all)
    ids = lexicon.word_table().get(segment_hashes(folded, tok_start, tok_len), 0)
    known = ids > 0
    lo = lexicon.word_logodds[ids]
    nwf = np.maximum(nw, 1)
    lo_sum = np.bincount(tok_line, weights=lo * known, minlength=total)[rows]
    n_known = np.bincount(tok_line, weights=known, minlength=total)[rows]
    lo_max = np.full(total, -5.0)
    lo_min = np.full(total, 5.0)
    has_tok = nw_all > 0
    if len(ids):  # tokens sit in line order: reduce each line's run of them
        tok_first = (np.cumsum(nw_all) - nw_all)[has_tok]
        lo_max[has_tok] = np.maximum(np.maximum.reduceat(np.where(known, lo, -5.0), tok_first),
                                     -5.0)
        lo_min[has_tok] = np.minimum(np.minimum.reduceat(np.where(known, lo, 5.0), tok_first),
                                     5.0)
    stop = np.bincount(tok_line, weights=lexicon.stop_mask[ids], minlength=total)[rows]
    # whole-line keys, as hashes: short rows by their normalised text (casefolded, digits
    # masked, stripped: the lexicon's keys), long rows by their stripped text, which is
    # enough to find in-page repeats (the lexicon holds recurring short lines only)
    short = n_chars <= SHORT_LINE
    space_t = _space_table()
    short_rows = np.flatnonzero(short)
    # the short rows' normalised keys, gathered into one array (a separator after each):
    # only they are looked up in the lexicon or searched for dates and addresses, and they
    # hold under half of the characters, so nothing normalises or strips the long rows
    f_sep = np.flatnonzero(folded == 0)  # each line ends at its separator
    f_start = np.concatenate([[0], f_sep[:-1] + 1])
    sr = rows[short_rows]
    k_len = f_sep[sr] - f_start[sr]
    keys, k_start = _gather_runs(folded, f_start[sr], k_len + 1)
    keys[(keys >= 0x30) & (keys <= 0x39)] = 0x30
    n_lo, n_len = _strip_bounds(keys, ~space_t[np.minimum(keys, 0xFFFF)] & (keys != 0),
                                k_start, k_start + k_len)
    key_hash = np.zeros(n, dtype=np.uint64)
    key_hash[short_rows] = segment_hashes(keys, n_lo, n_len)
    found = lexicon.line_table().get(key_hash[short_rows], 0.0)
    line_lo = np.zeros(n)
    line_pages = np.zeros(n)
    line_lo[short_rows] = found[:, 0]
    line_pages[short_rows] = found[:, 1]
    # long rows are hashed only where a repeat is possible: equal keys have equal stripped
    # lengths (n_chars), so a long row alone with its length on its page is no repeat. A
    # short row's normalised key longer than SHORT_LINE (casefolding can lengthen a line)
    # could equal a long row's key: on such a page every long row is hashed
    long_rows = np.flatnonzero(~short)
    alone = np.zeros(n, dtype=bool)
    if len(long_rows):
        sig = page_of[long_rows] * (int(n_chars.max()) + 1) + n_chars[long_rows].astype(np.int64)
        _, inv, cnt = np.unique(sig, return_inverse=True, return_counts=True)
        need = cnt[inv] > 1
        if np.any(n_len > SHORT_LINE):
            need |= np.isin(page_of[long_rows], page_of[short_rows[n_len > SHORT_LINE]])
        alone[long_rows[~need]] = True
        lr = long_rows[need]
        lr_len = lens[rows[lr]]
        raw, r_off = _gather_runs(cps, r_start[lr], lr_len + 1)
        raw_lo, raw_len = _strip_bounds(raw, ~space_t[np.minimum(raw, 0xFFFF)] & (raw != 0)
                                        | (raw > 0xFFFF), r_off, r_off + lr_len)
        key_hash[lr] = segment_hashes(raw, raw_lo, raw_len)

    def regex_rows(pattern: re.Pattern, candidates: np.ndarray) -> np.ndarray:
        """Rows where ``pattern`` matches the normalised key, searched in short candidate
        rows only: one search over their keys joined by a separator no match can span."""
        out = np.zeros(n)
        cand = np.flatnonzero(candidates[short_rows])  # among the short rows
        if not len(cand):
            return out
        text, _ = _gather_runs(keys, n_lo[cand], n_len[cand] + 1)
        ends = np.cumsum(n_len[cand] + 1)
        text[ends - 1] = 0  # the separator after each key
        hits = [m.start() for m in pattern.finditer(
            text.tobytes().decode("utf-32-le", "surrogatepass"))]
        out[short_rows[cand[np.unique(np.searchsorted(ends, hits, side="right"))]]] = 1
        return out

    pipes = row_sums(_char_set(_PIPES)[bmp] & ~astral)
    letters = upper + lower
    return {
        "log_chars": np.log1p(n_chars) / 6,
        "log_words": np.log1p(nw) / 4,
        "mean_word_len": np.minimum(word_chars / nwf, 20) / 10,
        "upper_share": upper / np.maximum(letters, 1),
        "digit_share": digits / n_chars,
        "punct_share": punct / n_chars,
        "symbol_share": symbol / n_chars,
        "capword_share": capwords / nwf,
        "ends_terminal": among(_TERMINAL, last_ch),
        "ends_colon": last_ch == ord(":"),
        "ends_comma": last_ch == ord(","),
        "ends_ellipsis": (last_ch == ord("…")) | ((last_ch == ord(".")) & (prev_last == ord("."))
                                                  & (n_chars >= 3)),
        "starts_upper": cls[first] == UPPER,
        "starts_opener": among(_OPENERS, first_ch),
        "starts_lower": cls[first] == LOWER,
        "stop_share": stop / nwf,
        "word_logodds_mean": lo_sum / np.maximum(n_known, 1),
        "word_logodds_max": lo_max[rows],
        "word_logodds_min": lo_min[rows],
        "known_word_share": n_known / nwf,
        "line_logodds": line_lo,
        "line_log_pages": np.log1p(line_pages) / 5,
        "date": regex_rows(_DATE, digits > 0),
        "urlish": regex_rows(_URLISH, punct > 0),
        "pipes": np.minimum(pipes, 5) / 5,
        "_key_hash": key_hash,
        "_alone": alone,
    }


@lru_cache(maxsize=1)
def _space_table() -> np.ndarray:
    """Per BMP code point: what ``str.strip`` strips (no astral code point is whitespace)."""
    return np.array([chr(c).isspace() for c in range(0x10000)], dtype=bool)


def _gather_runs(cps: np.ndarray, starts: np.ndarray,
                 lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``cps[start:start + length]`` of every run, concatenated, and where each begins."""
    lengths = np.asarray(lengths, dtype=np.int64)
    off = np.cumsum(lengths) - lengths
    idx = np.repeat(np.asarray(starts, dtype=np.int64) - off, lengths)
    idx += np.arange(len(idx), dtype=np.int64)
    return cps[idx], off


def _strip_bounds(cps, keep, starts, ends) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each ``cps[start:end]`` stripped of what ``keep`` is False on
    (every span here holds at least one kept code point)."""
    pos = np.flatnonzero(keep)
    lo = pos[np.searchsorted(pos, starts)]
    hi = pos[np.searchsorted(pos, ends) - 1]
    return lo, hi - lo + 1


def _repeats(key_hash: np.ndarray, page_of: np.ndarray,
             alone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Copies of the same line elsewhere on its page (0..1), and first copy or not.
    ``alone``: rows known to have no copy on their page (their hash is not computed)."""
    n = len(key_hash)
    repeats, first = np.zeros(n), np.ones(n)
    rest = np.flatnonzero(~alone)
    if not len(rest):
        return repeats, first
    key_hash, page_of = key_hash[rest], page_of[rest]
    _, first_of_key, key_inv = np.unique(key_hash, return_index=True, return_inverse=True)
    key_id = first_of_key[key_inv]  # a key's id: its first row, as with dict.setdefault
    combo = page_of * (n + 1) + key_id
    _, first_idx, inverse, counts = np.unique(combo, return_index=True, return_inverse=True,
                                              return_counts=True)
    first[rest] = 0
    first[rest[first_idx]] = 1
    repeats[rest] = np.minimum(counts[inverse] - 1, 3) / 3
    return repeats, first


def _page_features(own, batch: Batch, row_start, row_end) -> dict[str, np.ndarray]:
    """Where a row sits on its page, and how it relates to the page's main run of prose.

    The main run is the stretch of prose-like rows (≥ 60 characters, or a sentence of
    ≥ 25) with the most characters, where short rows (< 25 characters, e.g. subheadings,
    captions) do not break a run but longer non-prose rows do. Article text sits in or
    near it; menus and footers far from it.
    """
    n = len(batch.page_of)
    idx = np.arange(n)
    size = row_end - row_start
    chars = np.expm1(own["log_chars"] * 6)
    cs = np.concatenate([[0.0], np.cumsum(chars)])
    page_chars = cs[row_end] - cs[row_start]
    n_pages = len(batch.offsets) - 1
    nonempty = np.flatnonzero(batch.offsets[1:] > batch.offsets[:-1])
    pmax = np.zeros(n_pages)
    np.maximum.at(pmax, batch.page_of, chars)
    pmed = np.zeros(n_pages)
    if len(nonempty):  # each page's median: the middle of its rows sorted by length
        ordered = chars[np.lexsort((chars, batch.page_of))]
        o, k = batch.offsets[nonempty], np.diff(batch.offsets)[nonempty]
        pmed[nonempty] = (ordered[o + (k - 1) // 2] + ordered[o + k // 2]) / 2
    prose = (chars >= 60) | ((own["ends_terminal"] > 0) & (chars >= 25))
    breaker = ~prose & (chars >= 25)
    page_first = idx == row_start
    run_id = np.cumsum(breaker | page_first) - 1
    run_w = np.bincount(run_id, weights=chars * prose)
    run_page = batch.page_of[np.searchsorted(run_id, np.arange(len(run_w)))]
    order = np.lexsort((-run_w, run_page))
    best_of_page = np.full(n_pages, -1)
    first_in_group = np.concatenate([[True], run_page[order][1:] != run_page[order][:-1]])
    best_of_page[run_page[order][first_in_group]] = order[first_in_group]
    in_best = (run_id == best_of_page[batch.page_of]) & prose
    lo = np.full(n_pages, np.iinfo(np.int64).max)
    hi = np.full(n_pages, -1)
    np.minimum.at(lo, batch.page_of[in_best], idx[in_best])
    np.maximum.at(hi, batch.page_of[in_best], idx[in_best] + 1)
    none = hi < 0  # a page without prose: its main run is empty, at its start
    lo = np.where(none, batch.offsets[:-1], lo)
    hi = np.where(none, batch.offsets[:-1], hi)
    r_lo, r_hi = lo[batch.page_of], hi[batch.page_of]
    dist = np.where(idx < r_lo, r_lo - idx, np.where(idx >= r_hi, idx - r_hi + 1, 0))
    line_lo = own["line_logodds"]
    lcs = np.concatenate([[0.0], np.cumsum(line_lo)])
    return {
        "position": (idx - row_start) / np.maximum(size - 1, 1),
        "char_position": (cs[idx] - cs[row_start]) / np.maximum(page_chars, 1),
        "page_log_lines": np.log1p(size) / 6,
        "len_vs_max": chars / np.maximum(pmax[batch.page_of], 1),
        "len_vs_median": np.log1p(chars / np.maximum(pmed[batch.page_of], 1)) / 3,
        "in_main_run": (idx >= r_lo) & (idx < r_hi),
        "dist_to_main_run": np.log1p(dist) / 4,
        "before_main_run": (cs[r_lo] - cs[row_start]) / np.maximum(page_chars, 1),
        "after_main_run": (cs[row_end] - cs[r_hi]) / np.maximum(page_chars, 1),
        "line_logodds_page_mean": (lcs[row_end] - lcs[row_start]) / np.maximum(size, 1),
    }
