"""fnc1-sentences: fnc1-blend with sentence-level TF-IDF features in its boosting stage.

A headline states one claim; a body takes its stance in the few sentences about that claim
and carries much else besides. fnc1-blend's features look at the body as a whole (bag of
words, overlap, cue words anywhere) or at the two sentences with the most shared words.
This variant fits a word TF-IDF (1-2 grams, sublinear) and a character TF-IDF (3-5 grams
inside words) on the training texts and gives the boosting stage, for each pair:

- the cosine of the headline with every body sentence: the best, the mean of the best
  three, where the best sits in the body, the share of sentences above 0.1;
- refuting, negation, hedging and agreeing cue words in the best one and best three
  sentences, and each cue's count averaged over all sentences weighted by their cosine
  (a denial in the sentence about the claim counts, one in an aside barely does);
- the character-n-gram cosine of headline and body (robust to inflection and names
  written differently);
- whether the headline quotes.

Measured on the story-disjoint hold-out (5,437 pairs of 58 stories, fitted on the other
30,386 pairs; development runs, nothing scored on the test): FNC 82.99 % → 85.19 %,
macro-F1 0.586 → 0.609 with blend and class weights tuned as fnc1-blend tunes them.
Cosine features alone gave 84.09 %, the character cosine alone 84.43 %. Disagree stays
the weak class (87 held pairs).

Scored once on the competition test (``presscut baselines fnc1 PATH --stance
fnc1-sentences``): 81.98 % FNC, macro-F1 0.595 (fnc1-blend 81.04 %, 0.584), with blend 0.75
and class weights (1.25, 3, 1, 1) tuned on the hold-out; training 357 s on 2 cores. Short of
the goal (82.1 %, 0.62).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from presscut.baselines.registry import baseline
from presscut.baselines.stance import AGREEING_WORDS, HEDGING_WORDS, REFUTING_WORDS, tokens
from presscut.baselines.stance_blend import FNC1_SIZED, BlendStance
from presscut.baselines.stance_stack import _NEGATION, _SENTENCE, dense_features
from presscut.errors import PresscutError

MAX_SENTENCES = 100  # FNC-1 bodies run to ~20 sentences; a bound for pathological input
_CUES = (REFUTING_WORDS, _NEGATION, HEDGING_WORDS, AGREEING_WORDS)


def _sentences(body: str) -> list[str]:
    return [s for s in _SENTENCE.split(body) if s.strip()][:MAX_SENTENCES] or [""]


class SentenceBlock:
    """Word and character TF-IDF spaces fitted on training texts; :meth:`transform` gives
    the 16 sentence features of each (headline, body) pair (see module)."""

    def fit(self, heads: Sequence[str], bodies: Sequence[str]) -> SentenceBlock:
        texts = list(dict.fromkeys(list(heads) + list(bodies)))
        # terms of one text only say nothing about a pair; a tiny training set keeps them
        # rather than fail (scikit-learn refuses a min_df above the number of texts)
        try:
            self.words_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                          min_df=min(2, len(texts)),
                                          stop_words="english").fit(texts)
            self.chars_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                          sublinear_tf=True, min_df=min(3, len(texts)),
                                          max_features=100_000).fit(texts)
        except ValueError as err:  # no texts, or no term left after stop words
            raise PresscutError(f"stance: sentence features cannot be fitted: {err}") from None
        return self

    def transform(self, heads: Sequence[str], bodies: Sequence[str]) -> np.ndarray:
        uh, ub = list(dict.fromkeys(heads)), list(dict.fromkeys(bodies))
        # FNC-1 pairs each body with ~30 headlines: every distinct text is encoded once
        h_words = dict(zip(uh, self.words_.transform(uh)))
        h_chars = dict(zip(uh, self.chars_.transform(uh)))
        b_chars = dict(zip(ub, self.chars_.transform(ub)))
        b_sents = {}
        for b in ub:
            sents = _sentences(b)
            toks = [frozenset(tokens(s)) for s in sents]
            cues = np.array([[len(t & c) for c in _CUES] for t in toks], dtype=float)
            b_sents[b] = (self.words_.transform(sents), toks, cues)
        out = np.zeros((len(heads), 16))
        for i, (h, b) in enumerate(zip(heads, bodies)):
            M, toks, cues = b_sents[b]
            cos = (M @ h_words[h].T).toarray().ravel()
            order = np.argsort(-cos, kind="stable")
            top1, top3 = toks[order[0]], frozenset().union(*(toks[j] for j in order[:3]))
            weighted = cos @ cues / (cos.sum() + 1e-9)
            out[i, :10] = [cos[order[0]], cos[order[:3]].mean(), order[0] / len(cos),
                           (cos > 0.1).mean(),
                           len(top1 & REFUTING_WORDS), len(top3 & REFUTING_WORDS),
                           len(top1 & _NEGATION), len(top3 & _NEGATION),
                           len(top3 & HEDGING_WORDS), len(top3 & AGREEING_WORDS)]
            out[i, 10:14] = weighted
            out[i, 14] = h_chars[h].multiply(b_chars[b]).sum()
            out[i, 15] = float("'" in h or '"' in h)
        return out


@baseline("stance", "fnc1-sentences", order=56, trains=True,
          caveat=FNC1_SIZED,
          benchmarks={"fnc1": {
              "about": "fnc1-blend plus sentence-level features in its boosting stage: "
                       "headline-to-sentence TF-IDF cosines, cue words in the sentences "
                       "closest to the headline and cosine-weighted over all of them, and a "
                       "character-n-gram cosine (TF-IDF spaces fitted on the training "
                       "texts); blend and class weights tuned on the story-disjoint "
                       "hold-out, then fitted again on train + validation. Scored once: "
                       "81.98 % FNC (CI 81.4-82.6), macro-F1 0.595 - 0.94 points above "
                       "fnc1-blend and level with the FNC-1 top three (82.02, 81.97, 81.72 "
                       "inside its CI), but short of the goal (82.1 %, 0.62) by 0.12 points "
                       "and 0.025; disagree F1 0.091",
              "groups": "story", "tune_on": "story"}})
class SentenceStance(BlendStance):
    """:class:`BlendStance` whose boosting stage also sees :class:`SentenceBlock` features."""

    def _fit_dense(self, heads, bodies) -> None:
        self.sentences_ = SentenceBlock().fit(heads, bodies)

    def _dense(self, heads, bodies) -> np.ndarray:
        return np.hstack([dense_features(heads, bodies),
                          self.sentences_.transform(heads, bodies)])
