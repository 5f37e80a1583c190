"""Complete a look around an anchor fashion item: one item per missing slot."""

from __future__ import annotations

import numpy as np

from .catalog import Catalog
from .constants import (
    COLOUR_HARMONY,
    COLOUR_SCORE_CLASH,
    COLOUR_SCORE_HARMONY,
    COLOUR_SCORE_NEUTRAL,
    COLOUR_SCORE_SAME,
    NEUTRAL_COLOURS,
    OCCASION_MISMATCH_FACTOR,
    OUTFIT_RULE_WEIGHT,
    OUTFIT_SLOTS,
    SIZED_SLOTS,
)
from .ranking import top_k


def colour_compatibility(first: str, second: str) -> float:
    """How well two colours go together, from 0 (clash) to 1.

    Neutral colours (black, white, grey, beige, navy) and unknown colours go with
    everything; otherwise tone-on-tone or a pair from COLOUR_HARMONY.
    """
    first, second = (first or "").lower(), (second or "").lower()
    if not first or not second or first in NEUTRAL_COLOURS or second in NEUTRAL_COLOURS:
        return COLOUR_SCORE_NEUTRAL
    if first == second:
        return COLOUR_SCORE_SAME
    if second in COLOUR_HARMONY.get(first, frozenset()) or first in COLOUR_HARMONY.get(second, frozenset()):
        return COLOUR_SCORE_HARMONY
    return COLOUR_SCORE_CLASH


def missing_slots(anchor_slot: str) -> tuple[str, ...]:
    """Slots to fill around an anchor; a one-piece replaces top and bottom."""
    return OUTFIT_SLOTS.get((anchor_slot or "").lower(), ())


def price_affinity(anchor_price: float, prices: np.ndarray) -> np.ndarray:
    """1 for the anchor's price tier, decreasing with the log price ratio."""
    ratio = np.log((prices + 1.0) / (anchor_price + 1.0))
    return 1.0 / (1.0 + np.abs(ratio))


def complete_outfit(
    catalog: Catalog,
    anchor: int,
    candidates: np.ndarray,
    popularity: np.ndarray,
    tiebreak: np.ndarray,
    occasion: str | None = None,
    size: str | None = None,
    k: int = 5,
    bought_with: np.ndarray | None = None,
    colour: str | None = None,
) -> list[tuple[int, float]]:
    """Best (item position, score) per missing slot, in slot order, at most k.

    The score multiplies colour compatibility, occasion match (the requested occasion,
    else the anchor's occasions; a mismatch is allowed but ranked down), price affinity,
    a little popularity and, when given, the co-purchase boost ``1 + OUTFIT_RULE_WEIGHT ×
    confidence(anchor → item)`` (``bought_with``: the confidence of the rules from the
    anchor). Colour must go with the anchor *and* with every piece already chosen, so
    the look is coherent as a whole: a clash with any of them excludes the item. A slot
    with no acceptable item is skipped. `size` applies to clothing slots only. `colour` (the
    shopper's wish, "something red to go with it") is a preference per slot: the best item of
    that colour among those that go with the look, else the slot's best of any colour.
    """
    wanted_occasions = {occasion.lower()} if occasion else set(catalog.occasions[anchor])
    peak = popularity[candidates].max() if candidates.any() else 0.0
    popularity_part = 0.8 + 0.2 * (popularity / peak if peak > 0 else np.zeros_like(popularity))
    affinity = price_affinity(float(catalog.price[anchor]), catalog.price)
    if bought_with is not None:
        affinity = affinity * (1.0 + OUTFIT_RULE_WEIGHT * np.clip(bought_with, 0.0, 1.0))
    look_colours = [catalog.colour[anchor]]
    chosen: list[tuple[int, float]] = []
    for slot in missing_slots(catalog.slot[anchor]):
        if len(chosen) >= k:
            break
        mask = candidates & (catalog.slot == slot)
        mask[anchor] = False
        if size and slot in SIZED_SLOTS:
            # One-size items fit every request (catalog.lookup: the sizes upper-cased, indexed).
            mask &= catalog.lookup.without_sizes | catalog.lookup.sizes_upper.mask(size.upper())
        positions = np.flatnonzero(mask)
        if positions.size == 0:
            continue
        scores = np.zeros(len(catalog))
        for position in positions:
            goes = min(colour_compatibility(worn, catalog.colour[position]) for worn in look_colours)
            fits = not wanted_occasions or bool(wanted_occasions & catalog.occasions[position])
            scores[position] = goes * (1.0 if fits else OCCASION_MISMATCH_FACTOR)
        scores[positions] *= affinity[positions] * popularity_part[positions]
        acceptable = positions[scores[positions] > 0]
        if colour:
            in_colour = acceptable[catalog.colour[acceptable] == colour.lower()]
            acceptable = in_colour if in_colour.size else acceptable
        best = top_k(scores, acceptable, 1, tiebreak)
        if best.size:
            chosen.append((int(best[0]), float(scores[best[0]])))
            look_colours.append(catalog.colour[best[0]])
    return chosen
