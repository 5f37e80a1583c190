"""A trained bilingual sentiment model: NB-weighted TF-IDF n-grams + logistic regression.

One linear model per language ("zh", "en"); a message goes to the model of the
script most of its letters are in. Features are sublinear TF-IDF character n-grams
plus word 1-2-grams (jieba words for Chinese; words with negation scope marking for
English), each column scaled by its naive-Bayes log-count ratio (the NB-SVM idea of
Wang & Manning 2012), then a logistic regression gives P(positive). The score is
`2 * P - 1` in -1..1. After training, the NB ratios are folded into the regression
weights and the TF-IDF weighting is applied from cached IDF arrays, so scoring one
message costs one n-gram count and a sparse dot product.

The model is trained by `scripts/train_sentiment.py` from public data outside the
repository and saved with joblib under var/; the SentimentAnalyzer loads it only
when its `model_path` exists, so the shipped bot never depends on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

LANG_ZH, LANG_EN = "zh", "en"
LANGUAGES = (LANG_ZH, LANG_EN)
FORMAT_VERSION = 2
NB_ALPHA = 1.0
# Chosen on validation slices of the training data (ChnSentiCorp dev; 1,000 SST-2
# training sentences with their phrases removed from training): see README.
LR_C = {LANG_ZH: 10.0, LANG_EN: 3.0}
LR_MAX_ITER = 2000
HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_RE = re.compile(r"[A-Za-z]")
EN_TOKEN_RE = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")
# A negation word marks the following words up to the next punctuation (Das & Chen 2001).
EN_NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "n't",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nor",
        "cannot",
        "without",
        "hardly",
        "barely",
    }
)
EN_SCOPE_END = frozenset(".,!?;:")
NEGATED_PREFIX = "NOT_"


class SentimentModelError(ValueError):
    """Training data or a model file is unusable."""


def language_of(text: str) -> str:
    """ "zh" when Han characters are at least as many as Latin letters, else "en"."""
    han = len(HAN_RE.findall(text))
    return LANG_ZH if han and han >= len(LATIN_RE.findall(text)) else LANG_EN


def english_words(text: str) -> List[str]:
    """Lower-cased word 1- and 2-grams; words in a negation scope get `NOT_`."""
    tokens = EN_TOKEN_RE.findall(text.lower().replace("n't", " n't"))
    marked: List[str] = []
    negated = False
    for token in tokens:
        if token in EN_SCOPE_END:
            negated = False
            continue
        marked.append(NEGATED_PREFIX + token if negated else token)
        if token in EN_NEGATORS:
            negated = True
    return marked + [f"{a} {b}" for a, b in zip(marked, marked[1:], strict=False)]


def chinese_words(text: str) -> List[str]:
    """jieba words (default dictionary) of the lower-cased text, plus word bigrams."""
    import jieba

    tokens = [token for token in jieba.lcut(text.lower()) if token.strip()]
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def make_vectorizers(language: str) -> List[TfidfVectorizer]:
    """The feature extractors of one language (unfitted)."""
    chars = TfidfVectorizer(
        analyzer="char" if language == LANG_ZH else "char_wb",
        ngram_range=(1, 3) if language == LANG_ZH else (2, 5),
        sublinear_tf=True,
        min_df=2,
        lowercase=True,
    )
    analyzer = chinese_words if language == LANG_ZH else english_words
    return [chars, TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=1)]


def tfidf_features(vectorizer: TfidfVectorizer, idf: np.ndarray, texts: Sequence[str]) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)` computed from the cached `idf` array.

    Same numbers as scikit-learn's (sublinear tf, idf, norm), without its per-call
    re-derivation of the IDF vector, which costs as much as the vocabulary is large.
    """
    counts = CountVectorizer.transform(vectorizer, texts).astype(np.float64)
    if vectorizer.sublinear_tf:
        counts.data = np.log(counts.data) + 1.0
    counts.data *= idf[counts.indices]
    return normalize(counts, norm=vectorizer.norm, copy=False) if vectorizer.norm else counts


def nb_log_ratio(features: sparse.csr_matrix, labels: np.ndarray) -> np.ndarray:
    """Naive-Bayes log-count ratio of each (binarised) feature column."""
    binary = (features > 0).astype(np.float64)
    positive = NB_ALPHA + np.asarray(binary[labels == 1].sum(axis=0)).ravel()
    negative = NB_ALPHA + np.asarray(binary[labels == 0].sum(axis=0)).ravel()
    return np.log((positive / positive.sum()) / (negative / negative.sum()))


@dataclass
class LanguageModel:
    """Vectorizers with their IDF arrays, and the NB-folded regression weights."""

    vectorizers: List[TfidfVectorizer]
    idf: List[np.ndarray]
    weights: np.ndarray
    intercept: float

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF feature matrix of `texts` (all vectorizers side by side)."""
        blocks = [tfidf_features(v, idf, texts) for v, idf in zip(self.vectorizers, self.idf, strict=True)]
        return sparse.hstack(blocks, format="csr")

    def positive_probability(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) of each text."""
        return expit(self.features(texts) @ self.weights + self.intercept)


def fit_language(texts: Sequence[str], labels: Sequence[int], language: str) -> LanguageModel:
    """Train the model of one language on binary labels (0 negative, 1 positive)."""
    y = np.asarray(labels, dtype=int)
    if len(texts) != len(y) or set(np.unique(y)) != {0, 1}:
        raise SentimentModelError(
            f"{language}: need as many labels as texts and both labels 0 and 1, "
            f"got {len(texts)} texts with labels {sorted(set(y.tolist()))}"
        )
    vectorizers = make_vectorizers(language)
    raw = sparse.hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    ratio = nb_log_ratio(raw, y)
    classifier = LogisticRegression(C=LR_C[language], max_iter=LR_MAX_ITER, solver="liblinear")
    classifier.fit(raw.multiply(ratio).tocsr(), y)
    for vectorizer in vectorizers:
        del vectorizer.stop_words_  # the pruned n-grams: only needed for introspection
    return LanguageModel(
        vectorizers,
        [v.idf_ for v in vectorizers],
        classifier.coef_.ravel() * ratio,
        float(classifier.intercept_[0]),
    )


@dataclass
class SentimentModel:
    """Per-language models; a text without a model for its language gets None."""

    models: Dict[str, LanguageModel] = field(default_factory=dict)
    trained_on: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[int],
        description: str = "",
    ) -> SentimentModel:
        """Train one model for each language present in `texts` (routed by script)."""
        if len(texts) != len(labels):
            raise SentimentModelError(f"{len(texts)} texts but {len(labels)} labels")
        by_language: Dict[str, tuple] = {lang: ([], []) for lang in LANGUAGES}
        for text, label in zip(texts, labels, strict=True):
            bucket = by_language[language_of(text)]
            bucket[0].append(text)
            bucket[1].append(int(label))
        model = cls()
        for language, (lang_texts, lang_labels) in by_language.items():
            if lang_texts:
                model.models[language] = fit_language(lang_texts, lang_labels, language)
                model.trained_on[language] = f"{description} ({len(lang_texts)} texts)"
        if not model.models:
            raise SentimentModelError("no training texts")
        return model

    def positive_probability(self, text: str) -> Optional[float]:
        """P(positive) of `text`, or None when no model serves its language."""
        model = self.models.get(language_of(text))
        if model is None or not text.strip():
            return None
        return float(model.positive_probability([text])[0])

    def score(self, text: str) -> Optional[float]:
        """Sentiment score `2 * P(positive) - 1` in -1..1 (None: no model for it)."""
        probability = self.positive_probability(text)
        return None if probability is None else 2.0 * probability - 1.0

    def save(self, path: Path) -> None:
        """Write the model with joblib (the parent folder is created)."""
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT_VERSION, "model": self}, path, compress=3)

    @classmethod
    def load(cls, path: Path) -> SentimentModel:
        """Read a model written by `save`; raises SentimentModelError if unusable.

        joblib files are pickles: load only files this project's command wrote.
        """
        import joblib

        try:
            payload = joblib.load(path)
        except Exception as error:  # noqa: BLE001 - any unpickling failure means unusable
            raise SentimentModelError(f"{path}: cannot read the model: {error}") from error
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
            raise SentimentModelError(f"{path}: not a sentiment model of format {FORMAT_VERSION}")
        model = payload["model"]
        if not isinstance(model, cls):
            raise SentimentModelError(f"{path}: holds {type(model).__name__}, not a model")
        return model
