"""The Engine facade: fit every model once, then route requests by mode.

Filters are always applied first (filters.py); each mode then ranks the candidates:

- ``search``: content match of the query (and the filters' attributes) blended with popularity;
- ``recommend``: hybrid of item-kNN, content profile, co-purchase rules, popularity and the
  popularity within the shopper's customer segment (content + popularity for a shopper without
  history); a reason from the shopper's own items names what they did with it ("Because you
  bought X", "... added X to your cart", "... liked X", ...);
- ``similar``: content, item-kNN and rules around an anchor item, in its vertical;
- ``outfit``: one item per missing slot around a fashion anchor, colours coherent across the
  whole look, occasion matched, boosted by co-purchase rules from the anchor (outfit.py).

Dislikes are excluded by the caller through ``Filters.exclude_item_ids``. Feedback given
in the current conversation (``SessionFeedback``, online.py) is scored without a refit.
After the blend, rerank.py applies the long-tail boost and MMR diversity to the filtered pool.
Variants of one product (items sharing a ``group_id``: pack sizes, colours) never fill a list:
every mode but ``outfit`` keeps the best-ranked variant of each group, and ``similar`` leaves
out the anchor's own variants.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from . import explain
from .catalog import Catalog
from .constants import (
    COLD_WEIGHTS,
    DEFAULT_SEED,
    HYBRID_WEIGHTS,
    POPULAR_REASON_MIN_SHOPPERS,
    SEARCH_WEIGHTS,
    SIMILAR_WEIGHTS,
)
from .content import ContentModel, item_documents
from .datatypes import Filters, Suggestion
from .errors import InvalidRequestError, UnknownItemError
from .filters import Selection, select
from .hybrid import Reasons, Signal, rank
from .interactions import UserItemMatrix, prepare_interactions
from .itemknn import ItemKNN
from .online import SESSION_WEIGHT, SessionFeedback, demote, session_similarity
from .outfit import complete_outfit, missing_slots
from .popularity import Popularity, SegmentPopularity, top_share_floor
from .ranking import tiebreak_keys, top_k
from .rerank import RerankParams, item_similarity, pool_size, rerank
from .rules import AssociationRules
from .tokenize import ATTR_PREFIX, attribute_token, parse_attribute_token, query_tokens

MODES = ("search", "recommend", "outfit", "similar")
FALLBACK_ALGORITHM = "filters"  # an item no ranking signal explains: shown because it fits the filters
SEGMENT_SIGNAL = "segment"  # name (and reason code) of the per-segment popularity signal
# Request attributes worth naming in a reason, most telling first; at most this many.
REASON_SECTIONS = ("taste", "dietary", "occasion", "goal", "colour")
MAX_REASON_ATTRIBUTES = 2
#: Filters the service sets for every request rather than from what the shopper asked.
_SERVICE_FILTERS = frozenset({"exclude_item_ids", "vertical", "in_stock_only"})


def has_shopper_filters(filters: Filters) -> bool:
    """Whether ``filters`` holds a constraint of the shopper's (category, budget, taste, ...)."""
    default = Filters()
    return any(
        getattr(filters, name) != getattr(default, name)
        for name in (field.name for field in fields(Filters))
        if name not in _SERVICE_FILTERS
    )


Explanation = tuple[str, Reasons] | None


def distinct_products(catalog: Catalog, positions: np.ndarray) -> np.ndarray:
    """Indices into ``positions`` (ranked best first) of the first item of each product group."""
    _, first = np.unique(catalog.group_codes[positions], return_index=True)
    return np.sort(first)


def filter_tokens(filters: Filters) -> list[str]:
    """Attribute tokens a request's filters ask for (used as a query when there is no text)."""
    tokens = [attribute_token("taste", t) for t in filters.tastes]
    tokens += [attribute_token("dietary", d) for d in filters.dietary]
    for section, value in (
        ("occasion", filters.occasion),
        ("category", filters.category),
        ("colour", filters.colour),
        ("goal", filters.goal),
    ):
        if value:
            tokens.append(attribute_token(section, value))
    return tokens


def unsegmented(weights: dict[str, float]) -> dict[str, float]:
    """Blend weights for a shopper without a usable segment: the segment share goes to global
    popularity (the segment's popularity falls back to everyone's), so the shares still sum to 1."""
    out = {name: w for name, w in weights.items() if name != SEGMENT_SIGNAL}
    out["popularity"] = out.get("popularity", 0.0) + weights.get(SEGMENT_SIGNAL, 0.0)
    return out


@dataclass(frozen=True)
class _Tuning:
    """Per-request inputs beyond the filters: session feedback and re-ranking knobs."""

    feedback: SessionFeedback
    rerank: RerankParams


class Engine:
    """Fitted ranking engine; build it with ``Engine.fit(items_df, interactions_df, seed=42)``."""

    def __init__(self, seed: int = DEFAULT_SEED, rerank: RerankParams | None = None) -> None:
        self.seed = seed
        self.rerank = rerank if rerank is not None else RerankParams()

    @classmethod
    def fit(
        cls,
        items_df: pd.DataFrame,
        interactions_df: pd.DataFrame | None,
        seed: int = DEFAULT_SEED,
        rerank: RerankParams | None = None,
        blend_weights: dict[str, float] | None = None,
        segments: Mapping[str, str] | None = None,
    ) -> Engine:
        """Validate the data and fit popularity (overall and per segment), item-kNN, content
        and rules models.

        ``rerank`` sets the default re-ranking knobs (none by default); a request can override them.
        ``blend_weights`` replaces the hand-set HYBRID_WEIGHTS of known shoppers, e.g. with the
        weights fitted by ``tuning.fit_blend_weights``. ``segments`` maps shopper ids to their
        customer segment (``customers.CustomerValues.segments``); each segment with enough data
        gets its own popularity, the ``segment`` signal of its shoppers' ``recommend`` lists.
        """
        engine = cls(seed=seed, rerank=rerank)
        engine.blend_weights_ = dict(blend_weights) if blend_weights else dict(HYBRID_WEIGHTS)
        engine.unsegmented_weights_ = unsegmented(engine.blend_weights_)
        catalog = Catalog.from_frame(items_df)
        catalog.lookup  # noqa: B018 - build the filter indexes now, not on the first request
        frame = prepare_interactions(interactions_df, catalog.index)
        engine.catalog_ = catalog
        engine.user_items_ = UserItemMatrix.build(frame, len(catalog))
        engine.popularity_ = Popularity().fit(frame, len(catalog))
        engine.segment_popularity_ = SegmentPopularity().fit(frame, len(catalog), segments)
        # where a "popular" reason is true: enough distinct shoppers, top share of the vertical
        engine.popular_reason_ = engine.popularity_.reason_mask(catalog.vertical)
        engine.segment_reason_floor_ = {
            name: top_share_floor(engine.segment_popularity_.scores_of(name), np.asarray(catalog.vertical))
            for name in engine.segment_popularity_.names_
        }
        engine.itemknn_ = ItemKNN().fit(engine.user_items_.matrix)
        documents = item_documents(catalog)
        engine.content_ = ContentModel().fit(documents)
        engine.item_attributes_ = [
            frozenset(t for t in doc if t.startswith(ATTR_PREFIX)) for doc in documents
        ]
        engine.rules_ = AssociationRules().fit(frame[frame["type"] == "purchase"], len(catalog))
        engine.tiebreak_ = tiebreak_keys(len(catalog), seed)
        purchases = frame[frame["type"] == "purchase"]
        engine.purchases_by_shopper_ = {
            str(shopper): np.unique(group.to_numpy(dtype=np.int64))
            for shopper, group in purchases.groupby("shopper_id")["item"]
        }
        return engine

    # --- public API -------------------------------------------------------------------
    def recommend(
        self,
        shopper_id: str | None = None,
        mode: str = "recommend",
        filters: Filters | None = None,
        k: int = 5,
        anchor_item_id: str | None = None,
        query: str | None = None,
        feedback: SessionFeedback | None = None,
        rerank: RerankParams | None = None,
    ) -> tuple[list[Suggestion], bool]:
        """Ranked suggestions and whether soft filters had to be relaxed to find any.

        ``feedback`` (search and recommend modes) is the shopper's feedback in this
        conversation; ``rerank`` overrides the engine's re-ranking knobs for this request.
        """
        filters = filters if filters is not None else Filters()
        tuning = _Tuning(feedback or SessionFeedback(), rerank if rerank is not None else self.rerank)
        if mode not in MODES:
            raise InvalidRequestError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise InvalidRequestError("k must be an integer")
        if k <= 0:
            return [], False
        if mode in ("outfit", "similar"):
            if not anchor_item_id:
                raise InvalidRequestError(f"mode {mode!r} needs anchor_item_id")
            if str(anchor_item_id) not in self.catalog_.index:
                raise UnknownItemError(str(anchor_item_id))
        if mode == "search":
            suggestions, selection = self._search(filters, int(k), query, tuning)
        elif mode == "recommend":
            suggestions, selection = self._recommend(shopper_id, filters, int(k), query, tuning)
        elif mode == "similar":
            anchor = self.catalog_.index[str(anchor_item_id)]
            suggestions, selection = self._similar(
                anchor, filters, int(k), replace(tuning, feedback=SessionFeedback())
            )
        else:
            suggestions, selection = self._outfit(self.catalog_.index[str(anchor_item_id)], filters, int(k))
        unexplained = [s for s in suggestions if s.algorithm == FALLBACK_ALGORITHM]
        reasons = self._unexplained_reason(filters, query if mode in ("search", "recommend") else None,
                                           selection.relaxed) if unexplained else None
        for suggestion in unexplained if reasons is not None else []:
            suggestion.reasons = dict(reasons)
        if filters.risk_max is not None:
            suggestions = self._with_risk_reason(suggestions, int(filters.risk_max))
        return suggestions, bool(suggestions) and selection.relaxed

    def popular(self, vertical: str | None = None, k: int = 10) -> list[Suggestion]:
        """Most popular in-stock items, optionally of one vertical."""
        if k <= 0:
            return []
        selection = select(self.catalog_, Filters(vertical=vertical), allow_relaxation=False)
        scores = self.popularity_.scores_
        wanted = pool_size(k) if self.catalog_.has_variants else k
        while True:
            chosen = top_k(scores, selection.mask, wanted, self.tiebreak_)
            if not self.catalog_.has_variants:
                break
            distinct = chosen[distinct_products(self.catalog_, chosen)]  # one card per product
            if distinct.size >= k or chosen.size < wanted:
                chosen = distinct[:k]
                break
            wanted *= 2
        return [
            Suggestion(
                item_id=str(self.catalog_.ids[p]),
                score=round(float(scores[p]), 6),
                algorithm="popularity",
                reason_code="popular",
                # "popular" only with the evidence every other list asks for (popular_reason_)
                reasons=explain.popular() if self.popular_reason_[p] else explain.featured(),
            )
            for p in chosen
        ]

    # --- modes --------------------------------------------------------------------------
    def _search(
        self, filters: Filters, k: int, query: str | None, tuning: _Tuning
    ) -> tuple[list[Suggestion], Selection]:
        selection = select(self.catalog_, filters)
        tokens = query_tokens(query or "") + filter_tokens(filters)
        signals = [self._content_query_signal(tokens, selection.mask), self._popularity_signal()]
        return self._blend(signals, SEARCH_WEIGHTS, selection.mask, k, tuning), selection

    def _recommend(
        self, shopper_id: str | None, filters: Filters, k: int, query: str | None, tuning: _Tuning
    ) -> tuple[list[Suggestion], Selection]:
        selection = select(self.catalog_, filters)
        items, weights = self.user_items_.history(shopper_id)
        candidates = selection.mask.copy()
        unbought = candidates.copy()
        unbought[self._purchased(shopper_id)] = False
        bought_now = {i: 1.0 for i, kind in tuning.feedback.positive_kinds.items() if kind == "purchase"}
        unbought[self._feedback_positions(bought_now)[0]] = False  # bought in this conversation
        if unbought.any():
            candidates = unbought  # show something new, unless only bought items fit
        if (weights > 0).any():
            knn_scores, knn_because = self.itemknn_.recommend(items, weights)
            # The blend reads the candidates only: the profile is scored for them alone.
            profile_scores = self.content_.profile_scores(items, weights, np.flatnonzero(candidates))
            profile_because = self.content_.profile_sources(items, weights)  # computed for the items shown only

            rule_scores, rule_because, rule_partner = self.rules_.recommend(items, weights)

            def did(source: int, item: Reasons) -> Reasons:  # what the shopper did with the source
                return explain.because(self.user_items_.kind(shopper_id, source), item)

            signals = [
                Signal("itemknn", knn_scores, self._because(knn_because, "cf", did)),
                Signal("content", profile_scores, self._because(profile_because, "content", did)),
                Signal("rules", rule_scores, self._rule_because(rule_because, rule_partner)),
                self._popularity_signal(),
            ]
            segment = self._segment_signal(shopper_id)
            if segment is None:  # no usable segment: its share goes to global popularity
                return self._blend(signals, self.unsegmented_weights_, candidates, k, tuning), selection
            return self._blend([*signals, segment], self.blend_weights_, candidates, k, tuning), selection
        tokens = query_tokens(query or "") + filter_tokens(filters)
        signals = [self._content_query_signal(tokens, candidates), self._popularity_signal()]
        return self._blend(signals, COLD_WEIGHTS, candidates, k, tuning), selection

    def _similar(
        self, anchor: int, filters: Filters, k: int, tuning: _Tuning
    ) -> tuple[list[Suggestion], Selection]:
        vertical = filters.vertical or self.catalog_.vertical[anchor] or None
        selection = select(self.catalog_, replace(filters, vertical=vertical))
        candidates = selection.mask.copy()
        candidates[anchor] = False
        candidates[self.catalog_.group_codes == self.catalog_.group_codes[anchor]] = False  # its own variants
        anchor_titles = explain.titles(self.catalog_, anchor)
        content_scores, _ = self.content_.similar_items(anchor)
        similar, liked, bought = (
            explain.similar_to(anchor_titles),
            explain.liked_together(anchor_titles),
            explain.bought_with(anchor_titles),
        )
        signals = [
            Signal("content", content_scores, lambda p: ("content", similar)),
            Signal("itemknn", self.itemknn_.similar_items(anchor), lambda p: ("cf", liked)),
            Signal("rules", self.rules_.bought_with(anchor), lambda p: ("rule", bought)),
        ]
        return self._blend(signals, SIMILAR_WEIGHTS, candidates, k, tuning), selection

    def _outfit(self, anchor: int, filters: Filters, k: int) -> tuple[list[Suggestion], Selection]:
        catalog = self.catalog_
        if catalog.vertical[anchor] != "fashion" or not missing_slots(catalog.slot[anchor]):
            raise InvalidRequestError("outfit needs a fashion item with a slot (top, bottom, one_piece, ...)")
        # Occasion, colour and size are judged per slot by outfit.py, not as filters (a colour
        # no piece could have is reported as relaxed).
        base = replace(
            filters,
            vertical="fashion",
            category=None,
            size=None,
            occasion=None,
            colour=None,
            exclude_item_ids=tuple(filters.exclude_item_ids) + (str(catalog.ids[anchor]),),
        )
        selection = select(catalog, base)
        bought_with = self.rules_.bought_with(anchor)
        chosen = complete_outfit(
            catalog,
            anchor,
            selection.mask,
            self.popularity_.scores_,
            self.tiebreak_,
            occasion=filters.occasion,
            size=filters.size,
            k=k,
            bought_with=bought_with,
            colour=filters.colour,
        )
        wanted = (filters.colour or "").lower()
        if wanted and chosen and not any(catalog.colour[p] == wanted for p, _ in chosen):
            selection = replace(selection, dropped=(*selection.dropped, "colour"))  # no piece in that colour
        anchor_title = explain.titles(catalog, anchor)
        goes, also_bought = explain.goes_with(anchor_title), explain.goes_with_and_bought(anchor_title)
        suggestions = [
            Suggestion(
                str(catalog.ids[p]),
                round(score, 6),
                "outfit",
                "outfit",
                dict(also_bought if bought_with[p] > 0 else goes),
            )
            for p, score in chosen
        ]
        return suggestions, selection

    # --- helpers ------------------------------------------------------------------------
    def _blend(
        self,
        signals: list[Signal],
        weights: dict[str, float],
        candidates: np.ndarray,
        k: int,
        tuning: _Tuning,
    ) -> list[Suggestion]:
        """Blend (with the session signal), then demote disliked twins and re-rank the pool."""
        liked = self._feedback_positions(tuning.feedback.positives)
        disliked = self._feedback_positions(tuning.feedback.negatives)
        if liked[0].size:  # the blend reads the candidates only: the session is scored for them alone
            signals = [*signals, self._session_signal(*liked, tuning.feedback.positive_kinds, candidates)]
            weights = {**weights, "session": SESSION_WEIGHT}
        catalog = self.catalog_
        collapsing = catalog.has_variants
        reordering = tuning.rerank.active or disliked[0].size > 0 or collapsing
        pool = pool_size(k) if reordering else k
        ranked = rank(signals, weights, candidates, pool, self.tiebreak_)
        while collapsing and ranked.positions.size == pool and distinct_products(catalog, ranked.positions).size < k:
            pool *= 2  # the pool is mostly variants of a few products: widen it
            ranked = ranked.top(pool, self.tiebreak_)
        positions, scores = ranked.positions, ranked.scores
        if reordering and positions.size >= 2:
            if disliked[0].size:
                penalty, _ = self._session_scores(*disliked, rows=positions)  # the pool's only
                demoted = demote(scores, np.clip(penalty[positions], 0.0, None))
                order = np.argsort(-demoted, kind="stable")
                positions, scores = positions[order], demoted[order]
            if collapsing:  # one card per product: its best-scored variant
                keep = distinct_products(catalog, positions)
                positions, scores = positions[keep], scores[keep]
            if tuning.rerank.active:
                similarity = item_similarity(
                    self.content_.matrix_[positions],
                    [(catalog.category[p], catalog.brand[p], catalog.colour[p]) for p in positions],
                )
                chosen = rerank(scores, self.popularity_.scores_[positions], similarity, tuning.rerank, k)
                positions, scores = positions[chosen], scores[chosen]
        shown = [round(float(score), 6) for score in scores[:k]]
        return ranked.explain(catalog.ids, positions[:k], shown, self._fallback)  # only what is shown

    def _feedback_positions(self, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """(catalog positions, weights) of feedback items the catalog knows."""
        known = [(self.catalog_.index[i], w) for i, w in weights.items() if i in self.catalog_.index]
        return np.array([p for p, _ in known], dtype=np.int64), np.array([w for _, w in known], dtype=float)

    def _session_scores(
        self, positions: np.ndarray, weights: np.ndarray, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Session similarity of feedback items, scored for ``rows`` (positions) only when given."""
        return session_similarity(self.content_, self.itemknn_.similarity_, positions, weights, rows)

    def _session_signal(
        self, positions: np.ndarray, weights: np.ndarray, kinds: dict[str, str], candidates: np.ndarray
    ) -> Signal:
        """Neighbours of the items liked, carted, bought... in this conversation, scored for the
        candidates (mask) only; the reason names the strongest thing the shopper did with the
        source item (``kinds``: id → type)."""
        scores, because = self._session_scores(positions, weights, np.flatnonzero(candidates))

        def did(source: int, item: Reasons) -> Reasons:
            return explain.because(kinds.get(str(self.catalog_.ids[source]), ""), item)

        return Signal("session", scores, self._because(because, "cf", did))

    def _fallback(self, position: int) -> tuple[str, str, Reasons]:
        return FALLBACK_ALGORITHM, "attribute", explain.matches_request()

    def _unexplained_reason(self, filters: Filters, query: str | None, relaxed: bool) -> Reasons | None:
        """What an item no ranking signal explains may truly claim, when not "matches what you asked for".

        Such an item passed the request's filters and matched none of its words. With a wish
        dropped (relaxed) it is the closest there is; with no filter of the shopper's own but words
        the catalog knows ("cashmere sweater" in a shop without one), it matched nothing they
        asked for. Otherwise (None) the default holds: it fits what they asked for.
        """
        if relaxed:
            return explain.closest_match()
        if has_shopper_filters(filters):
            return None
        known = self.content_.term_index_
        if any(token in known for token in query_tokens(query or "")):
            return explain.no_exact_match()
        return None

    def _popularity_signal(self) -> Signal:
        scores, claim = self.popularity_.scores_, self.popular_reason_
        return Signal("popularity", scores, lambda p: ("popular", explain.popular()) if claim[p] else None)

    def _segment_signal(self, shopper_id: str | None) -> Signal | None:
        """Popularity within the shopper's customer segment; None without a usable segment.

        The engine is given a shopper id only for a consenting shopper (service.recommend),
        so an anonymous request never gets a segment signal or a segment reason.
        """
        segment = self.segment_popularity_.segment_of(shopper_id)
        if segment is None:
            return None
        scores = self.segment_popularity_.scores_of(segment)
        peers = self.segment_popularity_.shoppers_of(segment)
        floor = self.segment_reason_floor_[segment]
        history, weights = self.user_items_.history(shopper_id)
        own = set(history[weights > 0].tolist())  # the shopper's own interest is no evidence of peers'
        reasons = explain.popular_in_segment(segment)

        def reason(p: int) -> Explanation:
            others = int(peers[p]) - (1 if p in own else 0)
            true = scores[p] > 0 and scores[p] >= floor[p] and others >= POPULAR_REASON_MIN_SHOPPERS
            return (SEGMENT_SIGNAL, dict(reasons)) if true else None

        return Signal(SEGMENT_SIGNAL, scores, reason)

    def _content_query_signal(self, tokens: list[str], candidates: np.ndarray) -> Signal:
        """Content match of the query, scored for the candidates (mask) only: the blend reads no other."""
        scores, best_terms = self.content_.query_scores(tokens, np.flatnonzero(candidates))
        # The attributes the shopper asked for that say something (the category they
        # asked for does not), most telling first.
        asked = sorted(
            {t for t in tokens if (a := parse_attribute_token(t)) and a[0] in REASON_SECTIONS},
            key=lambda t: REASON_SECTIONS.index(parse_attribute_token(t)[0]),
        )
        popular = self.popular_reason_

        def reason(position: int) -> Explanation:
            matched = [t for t in asked if t in self.item_attributes_[position]][:MAX_REASON_ATTRIBUTES]
            if matched:
                return "attribute", explain.combine(
                    [explain.matches_attribute(*parse_attribute_token(t)) for t in matched]
                )
            term = self.content_.term(int(best_terms[position]))
            restates_category = term is not None and (parse_attribute_token(term) or ("",))[0] == "category"
            if (term is None or restates_category) and popular[position]:
                return "popular", explain.popular()
            if term is None:
                return None
            attribute = parse_attribute_token(term)
            if attribute is not None:
                return "attribute", explain.matches_attribute(*attribute)
            if term.startswith("brand:"):
                return "attribute", explain.matches_term(self.catalog_.brand[position] or term[6:])
            return "content", explain.matches_term(term)

        return Signal("content", scores, reason)

    def _because(
        self,
        because: np.ndarray | Callable[[int], int],
        code: str,
        template: Callable[[int, Reasons], Reasons],
    ) -> Callable[[int], Explanation]:
        """Explain a position by its source item: ``because`` is an array of sources per
        position or a function computing one (-1: nothing to say); ``template(source, titles)``
        words the reason. Only the items shown are explained, one at a time."""
        source_of = because if callable(because) else because.__getitem__

        def reason(position: int) -> Explanation:
            source = int(source_of(position))
            return (code, template(source, explain.titles(self.catalog_, source))) if source >= 0 else None

        return reason

    def _rule_because(self, because: np.ndarray, partner: np.ndarray) -> Callable[[int], Explanation]:
        """Explain a co-purchase rule by its antecedent: one item, or both of a two-item rule."""

        def reason(position: int) -> Explanation:
            source, second = int(because[position]), int(partner[position])
            if source < 0:
                return None
            titles = explain.titles(self.catalog_, source)
            if second < 0:
                return ("rule", explain.bought_with(titles))
            return ("rule", explain.bought_with_both(titles, explain.titles(self.catalog_, second)))

        return reason

    def _purchased(self, shopper_id: str | None) -> np.ndarray:
        """Positions the shopper has bought (for "show something new")."""
        return self.purchases_by_shopper_.get(str(shopper_id), np.array([], dtype=np.int64))

    def _with_risk_reason(self, suggestions: list[Suggestion], level: int) -> list[Suggestion]:
        for suggestion in suggestions:
            if self.catalog_.vertical[self.catalog_.index[suggestion.item_id]] == "finance":
                suggestion.reasons = explain.with_risk_level(level, suggestion.reasons)
        return suggestions
