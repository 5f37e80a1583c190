"""Content-based similarity: TF-IDF over bilingual item text and vocabulary attributes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .catalog import Catalog
from .tokenize import attribute_token, words
from .vocabulary import entries

NO_TERM = -1
# Relative costs of ``similarity_block``'s two ways, per stored value read (measured on the
# 100,000-item synthetic catalog): a value of a term's column costs TERM_VALUE_COST; a value of
# a row ROW_VALUE_COST, plus 1 per item it is multiplied with.
TERM_VALUE_COST = 10
ROW_VALUE_COST = 4


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
        """The query's L2-normalised TF-IDF row, as ``vectorizer_.transform`` would give it.

        Computed from the fitted IDF weights directly: the vectorizer's input validation
        costs more than the arithmetic for a query of a few words.
        """
        counts = Counter(token for token in tokens if token in self.term_index_)
        n_terms = len(self.terms_)
        if not counts:
            return sp.csr_matrix((1, n_terms))
        columns = np.fromiter(
            (self.term_index_[token] for token in counts), dtype=np.int64, count=len(counts)
        )
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        order = np.argsort(columns)
        columns, values = columns[order], (tf * self.vectorizer_.idf_[columns])[order]
        values = values / np.sqrt(np.dot(values, values))
        return sp.csr_matrix((values, columns, np.array([0, columns.size])), shape=(1, n_terms))

    def _best_terms(
        self, query: sp.csr_matrix, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cosine scores and, per item, the query term that contributed most.

        ``rows`` (item positions) limits the result to those items; the others score 0 with
        NO_TERM. The work is one pass over the items that contain a query term (the term
        columns of ``columns_``), whatever the number of rows.
        """
        n_items = self.matrix_.shape[0]
        scores, best = np.zeros(n_items), np.full(n_items, NO_TERM, dtype=np.int64)
        if query.nnz == 0:
            return scores, best
        peak = np.zeros(n_items)
        for term, weight in zip(query.indices.tolist(), query.data.tolist(), strict=True):
            start, end = self.columns_.indptr[term], self.columns_.indptr[term + 1]
            holders, contribution = self.columns_.indices[start:end], self.columns_.data[start:end] * weight
            scores[holders] += contribution
            better = contribution > peak[holders]  # strictly: the first (lowest) term wins ties
            peak[holders[better]] = contribution[better]
            best[holders[better]] = term
        if rows is not None:  # copy the rows' values into fresh arrays: cheaper than clearing the rest
            rows = np.asarray(rows, dtype=np.int64)
            kept_scores, kept_best = np.zeros(n_items), np.full(n_items, NO_TERM, dtype=np.int64)
            kept_scores[rows], kept_best[rows] = scores[rows], best[rows]
            return kept_scores, kept_best
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

    @staticmethod
    def _profile(items: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positively weighted history items and their damped weights log(1 + w)."""
        positive = np.asarray(weights) > 0
        return np.asarray(items, dtype=np.int64)[positive], np.log1p(
            np.asarray(weights, dtype=float)[positive]
        )

    def profile_scores(
        self, items: np.ndarray, weights: np.ndarray, candidates: np.ndarray | None = None
    ) -> np.ndarray:
        """Weighted mean cosine similarity of every item to a shopper's history.

        Only positively weighted history counts (weights damped to log(1 + w)), and an item
        is not scored against itself. ``candidates`` (positions) limits the result to those
        items; every other item then scores 0, and the candidates' values are those without it
        (up to float rounding). One sparse product with the summed profile vector, over the
        candidates' rows or the history terms' columns, whichever holds fewer values.
        ``profile_source`` names the liked item behind one score.
        """
        n_items = self.matrix_.shape[0]
        items, weights = self._profile(items, weights)
        if items.size == 0 or (candidates is not None and len(candidates) == 0):
            return np.zeros(n_items)
        history = self.matrix_[items]
        profile = np.asarray(history.T @ weights).ravel()
        terms = np.unique(history.indices)  # the profile is non-zero on the history's terms only
        terms = terms[profile[terms] != 0]
        by_term = int((self.columns_.indptr[terms + 1] - self.columns_.indptr[terms]).sum())
        if candidates is None:
            scores = np.asarray(self.columns_[:, terms] @ profile[terms]).ravel()
        else:
            # Whichever reads fewer stored values: the candidates' rows, or the columns of
            # the history's terms (a term in every item makes the latter the whole matrix).
            rows = np.asarray(candidates, dtype=np.int64)
            by_row = int((self.matrix_.indptr[rows + 1] - self.matrix_.indptr[rows]).sum())
            scores = np.zeros(n_items)
            if by_row < by_term:
                scores[rows] = self.matrix_[rows] @ profile
            else:
                scores[rows] = np.asarray(self.columns_[:, terms] @ profile[terms]).ravel()[rows]
        # Take out each liked item's similarity to itself (1 for a non-empty row): the squares
        # of each history row summed in stored order, as history.multiply(history).sum(axis=1).
        row_of = np.repeat(np.arange(items.size), np.diff(history.indptr))
        own = np.bincount(row_of, weights=history.data * history.data, minlength=items.size) * weights
        if candidates is None:
            np.subtract.at(scores, items, own)
            return np.clip(scores, 0.0, None) / weights.sum()  # the subtraction can leave -1e-17
        inside = np.zeros(n_items, dtype=bool)
        inside[rows] = True
        own = np.where(inside[items], own, 0.0)
        np.subtract.at(scores, items, own)
        scores[rows] = np.clip(scores[rows], 0.0, None) / weights.sum()  # every other item is 0 already
        return scores

    def similarity_block(self, items: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosine similarity of each of ``items`` to each of ``rows`` (positions): a dense
        (items × rows) array, bit for bit ``(matrix_[items] @ matrix_.T).toarray()[:, rows]``.

        The work is whichever costs less: the columns of the items' terms (``columns_``, no
        conversion of the whole matrix), or the rows ``rows`` against a small dense block of the
        items' own terms (a row value is read once, then multiplied once per item). Either way
        each value adds the shared terms' products in term order, starting from 0, as the sparse
        product does (the rows' other terms add +0.0, which changes no sum).
        """
        items = np.asarray(items, dtype=np.int64)
        rows = np.asarray(rows, dtype=np.int64)
        if items.size == 0 or rows.size == 0 or self.matrix_.shape[1] == 0:
            return np.zeros((items.size, rows.size))
        sources = self.matrix_[items]
        terms = sources.indices
        by_term = int((self.columns_.indptr[terms + 1] - self.columns_.indptr[terms]).sum())
        by_row = int((self.matrix_.indptr[rows + 1] - self.matrix_.indptr[rows]).sum())
        if by_term * TERM_VALUE_COST <= by_row * (ROW_VALUE_COST + items.size):
            block = (sources @ self.columns_.T).toarray()  # columns_.T: matrix_.T by row
            return block if np.array_equal(rows, np.arange(block.shape[1])) else np.take(block, rows, axis=1)
        # The rows' terms renumbered: the items' terms 0 .. u-1 in term order, any other term u,
        # a zero row of the items' dense block.
        own = np.unique(terms)
        targets = self.matrix_[rows]
        slot = np.full(self.matrix_.shape[1], own.size, dtype=targets.indices.dtype)
        slot[own] = np.arange(own.size)
        renumbered = sp.csr_matrix(
            (targets.data, np.take(slot, targets.indices), targets.indptr), shape=(rows.size, own.size + 1)
        )
        block = np.zeros((own.size + 1, items.size))
        block[slot[terms], np.repeat(np.arange(items.size), np.diff(sources.indptr))] = sources.data
        return np.ascontiguousarray((renumbered @ block).T)

    def profile_sources(self, items: np.ndarray, weights: np.ndarray) -> Callable[[int], int]:
        """A function giving, for an item position, the liked item contributing most to its
        ``profile_scores`` value, or -1 if none does (ties go to the earlier history item).

        Only the few items shown need a reason, so it works one position at a time: the
        history is kept as a small dense block over its own terms, and each call reads one
        row of ``matrix_`` without building a sparse matrix.
        """
        items, weights = self._profile(items, weights)
        if items.size == 0:
            return lambda position: -1
        history = self.matrix_[items]
        terms = np.unique(history.indices)
        block = history[:, terms].toarray() * weights[:, None]  # (history, its terms), weighted
        indptr, indices, data = self.matrix_.indptr, self.matrix_.indices, self.matrix_.data

        def source(position: int) -> int:
            start, end = indptr[position], indptr[position + 1]
            at = np.searchsorted(terms, indices[start:end])
            shared = at < terms.size
            shared[shared] = terms[at[shared]] == indices[start:end][shared]
            contributions = block[:, at[shared]] @ data[start:end][shared]
            contributions[items == position] = 0.0
            best = int(np.argmax(contributions))
            return int(items[best]) if contributions[best] > 0 else -1

        return source

    def term(self, position: int) -> str | None:
        """Feature name of a term position (None for NO_TERM)."""
        return None if position < 0 else str(self.terms_[position])
