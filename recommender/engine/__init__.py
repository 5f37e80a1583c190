"""Ranking engine of the recommender: pure computation, no database, no HTTP.

Example usage::

    from recommender.engine import Engine, Filters
    engine = Engine.fit(items_df, interactions_df, seed=42)
    suggestions, relaxed = engine.recommend(shopper_id="s1", mode="search", query="麻辣", k=5,
                                            filters=Filters(vertical="dish", allergens=("peanut",)))

items_df columns: id, vertical, category, title_zh, title_en, description_zh, description_en,
brand, colour, sizes (list), price (CNY), stock, tags, tastes, dietary, allergens, occasions
(lists), slot, risk_level, horizon_months. interactions_df columns: shopper_id, item_id,
type (view|click|like|dislike|cart|purchase|rating), value, created_at (optional order_id).
"""

from .datatypes import Filters, Suggestion
from .errors import EngineError, InvalidRequestError, UnknownItemError
from .facade import MODES, Engine

__all__ = [
    "MODES",
    "Engine",
    "EngineError",
    "Filters",
    "InvalidRequestError",
    "Suggestion",
    "UnknownItemError",
]
