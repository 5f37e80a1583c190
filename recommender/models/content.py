"""Content-based ranking: TF-IDF over the items' bilingual text, scored against user profiles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .base import RecommenderModel


def bilingual_words(text: str) -> list[str]:
    """Tokens of a mixed Chinese / English text: jieba (with the catalog dictionary) and English words."""
    from recommender.engine.tokenize import words

    return words(text)


class ContentTFIDFModel(RecommenderModel):
    """Score = cosine between the item's TF-IDF vector and the user's profile.

    The profile is the sum of the TF-IDF vectors of the user's items, weighted by
    ``log1p(weight)``. Text is tokenised by :func:`bilingual_words` (jieba for Chinese
    runs with the catalog's user dictionary, English words kept whole), so one model
    serves both languages. Items that nobody interacted with still get scores from
    their text: pass the whole catalog in ``item_text`` (cold items).

    ``fit(interactions, items=None, item_text=...)``: ``item_text`` maps item id to its
    text (title, description, attributes in either language); items without text get a
    zero vector.

    Parameters
    ----------
    sublinear_tf : bool
        ``1 + log(tf)`` so a repeated word does not dominate.
    min_df : int
        Ignore terms in fewer items than this.
    max_features : int or None
        Keep only the most frequent terms (memory bound for large catalogs).

    Attributes
    ----------
    item_vectors_ : csr_matrix (n_items, n_terms), rows L2-normalised
    terms_ : ndarray of str
    """

    def __init__(self, sublinear_tf: bool = True, min_df: int = 1, max_features: int | None = None) -> None:
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df
        self.max_features = max_features

    def fit(
        self,
        interactions: pd.DataFrame,
        items: Sequence[Any] | None = None,
        item_text: Mapping[Any, str] | None = None,
    ) -> ContentTFIDFModel:
        """Learn from the interactions and the items' text (see the class docstring)."""
        if item_text is None:
            raise ValueError("ContentTFIDFModel.fit needs item_text: a mapping item id -> text")
        self._item_text = dict(item_text)
        catalog = list(items) if items is not None else []
        catalog += [item for item in self._item_text if item not in set(catalog)]
        super().fit(interactions, catalog or None)
        del self._item_text
        return self

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        documents = [
            bilingual_words(str(self._item_text.get(item, "") or "")) for item in self.item_ids_.tolist()
        ]
        vectorizer = TfidfVectorizer(
            analyzer=lambda tokens: tokens,
            sublinear_tf=self.sublinear_tf,
            min_df=self.min_df,
            max_features=self.max_features,
            norm="l2",
        )
        if any(documents):
            self.item_vectors_ = sp.csr_matrix(vectorizer.fit_transform(documents))
            self.terms_ = vectorizer.get_feature_names_out()
        else:
            self.item_vectors_ = sp.csr_matrix((len(documents), 0))
            self.terms_ = np.array([], dtype=object)
        weights = user_items.astype(np.float64).tocsr(copy=True)
        weights.data = np.log1p(np.clip(weights.data, 0.0, None))
        self.profile_weights_ = weights

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        profiles = self.profile_weights_[rows] @ self.item_vectors_  # (users, terms)
        norms = np.sqrt(np.asarray(profiles.multiply(profiles).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        return np.asarray((sp.diags(1.0 / norms) @ profiles @ self.item_vectors_.T).todense())

    def _similar_scores(self, item_rows: np.ndarray) -> np.ndarray:
        return (self.item_vectors_[item_rows] @ self.item_vectors_.T).toarray()
