"""Content-based similarity: TF-IDF over bilingual item text and vocabulary attributes."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .catalog import Catalog
from .tokenize import attribute_token, words
from .vocabulary import entries

NO_TERM = -1


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def item_documents(catalog: Catalog) -> list[list[str]]:
    """One token list per item: title, description, brand words plus attribute tokens.

    Attribute tokens cover category, colour, tastes, dietary, occasions and tags;
    titles count twice since they say what the item is.
    """
    # A tag that is a canonical value of a query section (a goal, a dietary need...) is
    # indexed as that attribute, so "low sugar" in a query meets a `low_sugar` tag.
    tag_sections: dict[str, str] = {}
    for section in ("goal", "dietary", "taste", "occasion", "category"):
        for value in entries(section):
            tag_sections.setdefault(str(value).lower(), section)
    documents: list[list[str]] = []
    for position in range(len(catalog)):
        tokens: list[str] = []
        for language in ("zh", "en"):
            title_words = words(catalog.titles[language][position])
            tokens += title_words + title_words
            tokens += words(catalog.descriptions[language][position])
        brand = catalog.brand[position]
        if brand:
            tokens += words(brand) + [f"brand:{brand.lower()}"]
        if catalog.category[position]:
            tokens.append(attribute_token("category", catalog.category[position]))
        if catalog.colour[position]:
            tokens.append(attribute_token("colour", catalog.colour[position]))
        for section, values in (
            ("taste", catalog.tastes[position]),
            ("dietary", catalog.dietary[position]),
            ("occasion", catalog.occasions[position]),
        ):
            tokens += [attribute_token(section, value) for value in sorted(values)]
        for tag in sorted(catalog.tags[position]):
            tokens.append(attribute_token(tag_sections.get(tag, "tag"), tag))
            tokens += words(tag.replace("_", " "))
        documents.append(tokens)
    return documents


def _first_max(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column maxima of a (few rows × many columns) array and the first row holding each.

    Same as ``rows.max(axis=0)`` and ``rows.argmax(axis=0)``, one row at a time: numpy's
    argmax over axis 0 of a wide array is much slower.
    """
    best = rows[0].copy()
    source = np.zeros(rows.shape[1], dtype=np.int64)
    for row in range(1, rows.shape[0]):
        better = rows[row] > best
        best[better] = rows[row][better]
        source[better] = row
    return best, source


class ContentModel:
    """TF-IDF item vectors with cosine scoring for queries, anchors and shopper profiles.

    Parameters
    ----------
    sublinear_tf : bool
        Use 1 + log(tf), so a repeated word does not dominate.

    Attributes
    ----------
    matrix_ : csr_matrix of shape (n_items, n_terms), rows L2-normalised
    columns_ : csc_matrix, ``matrix_`` stored by column (term slices and products without a conversion)
    terms_ : ndarray of str, the feature names
    """

    def __init__(self, sublinear_tf: bool = True) -> None:
        self.sublinear_tf = sublinear_tf

    def fit(self, documents: list[list[str]]) -> ContentModel:
        """Learn the vocabulary and IDF weights from the item token lists."""
        self.vectorizer_ = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=self.sublinear_tf, norm="l2", token_pattern=None
        )
        if any(documents):
            self.matrix_ = sp.csr_matrix(self.vectorizer_.fit_transform(documents))
            self.terms_ = self.vectorizer_.get_feature_names_out()
        else:  # no text at all: every score is zero
            self.matrix_ = sp.csr_matrix((len(documents), 0))
            self.terms_ = np.array([], dtype=object)
        self.term_index_ = {term: position for position, term in enumerate(self.terms_)}
        self.columns_ = self.matrix_.tocsc()  # the same matrix by term: cheap column slices
        return self

    def _vector(self, tokens: list[str]) -> sp.csr_matrix:
        known = [token for token in tokens if token in self.term_index_]
        if not known:
            return sp.csr_matrix((1, len(self.terms_)))
        return sp.csr_matrix(self.vectorizer_.transform([known]))

    def _best_terms(
        self, query: sp.csr_matrix, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cosine scores and, per item, the query term that contributed most.

        ``rows`` (item positions) limits the work to those items; the others score 0 with NO_TERM.
        """
        n_items = self.matrix_.shape[0]
        scores, best = np.zeros(n_items), np.full(n_items, NO_TERM, dtype=np.int64)
        if query.nnz == 0:
            return scores, best
        terms, weights = query.indices, query.data
        if rows is None:
            rows, columns = np.arange(n_items), self.columns_[:, terms].toarray()
        else:
            rows = np.asarray(rows, dtype=np.int64)
            columns = self.columns_[:, terms].tocsr()[rows].toarray()
        contributions = columns * weights[None, :]
        scores[rows] = contributions.sum(axis=1)
        best[rows] = np.where(contributions.max(axis=1) > 0, terms[contributions.argmax(axis=1)], NO_TERM)
        return scores, best

    def query_scores(
        self, tokens: list[str], candidates: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Score items against query tokens: (cosine scores, best matching term per item).

        ``candidates`` (positions) limits the work to those items; the others score 0 (NO_TERM).
        """
        return self._best_terms(self._vector(tokens), candidates)

    def similar_items(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        """Cosine similarity of every item to one item, and the shared term that weighs most."""
        scores, best = self._best_terms(self.matrix_[item])
        scores[item] = 0.0
        return scores, best

    def profile_scores(
        self, items: np.ndarray, weights: np.ndarray, candidates: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Score items for a shopper's history: (scores, the liked item each score comes from).

        Only positively weighted history counts; ``because`` is -1 where nothing matched.
        ``candidates`` (positions) limits the work to those items: every other item then
        scores 0 with ``because`` -1; the candidates' values are the same as without it.
        """
        n_items = self.matrix_.shape[0]
        positive = np.asarray(weights) > 0
        items, weights = np.asarray(items)[positive], np.log1p(np.asarray(weights, dtype=float)[positive])
        scores, because = np.zeros(n_items), np.full(n_items, -1, dtype=np.int64)
        if items.size == 0:
            return scores, because
        if candidates is None:
            columns, others = np.arange(n_items), self.columns_.T
        else:
            columns = np.asarray(candidates, dtype=np.int64)
            if columns.size == 0:
                return scores, because
            others = self.matrix_[columns].T
        similarity = (self.matrix_[items] @ others).toarray()  # (history, len(columns))
        # An item is not its own reason (columns are sorted positions).
        at = np.minimum(np.searchsorted(columns, items), columns.size - 1)
        own = columns[at] == items
        similarity[np.flatnonzero(own), at[own]] = 0.0
        contributions = similarity * weights[:, None]
        scores[columns] = contributions.sum(axis=0) / weights.sum()
        best, source = _first_max(contributions)
        because[columns] = np.where(best > 0, items[source], -1)
        return scores, because

    def term(self, position: int) -> str | None:
        """Feature name of a term position (None for NO_TERM)."""
        return None if position < 0 else str(self.terms_[position])
