"""Outfit completion from co-purchase rules: one item per missing slot around an anchor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from recommender.engine.outfit import missing_slots

from .model import FPGrowthRules, Suggestion


def complete_outfit(
    model: FPGrowthRules,
    anchor_item_ids: str | Iterable[str],
    slot_of: Mapping[str, str],
    exclude: Iterable[str] = (),
) -> dict[str, Suggestion]:
    """The best rule-backed item for every slot the anchor leaves open.

    `slot_of` maps item ids to their outfit slot (top, bottom, one_piece, outerwear,
    shoes, accessory). The open slots are those of the first anchor (a one-piece
    leaves no top or bottom to fill), minus the slots the other anchors already fill.
    Slots with no rule firing are left out: the caller fills them another way.
    """
    anchors = (
        [anchor_item_ids] if isinstance(anchor_item_ids, str) else [str(item) for item in anchor_item_ids]
    )
    if not anchors:
        raise ValueError("complete_outfit needs at least one anchor item")
    if anchors[0] not in slot_of:
        raise ValueError(f"anchor item {anchors[0]!r} has no outfit slot")
    filled = {slot_of.get(item) for item in anchors}
    open_slots = [slot for slot in missing_slots(slot_of[anchors[0]]) if slot not in filled]
    if "one_piece" in filled:
        open_slots = [slot for slot in open_slots if slot not in ("top", "bottom")]
    if not open_slots:
        return {}
    ranked = model.bought_together(anchors, k=len(model.rules_) or 1, exclude=exclude)
    chosen: dict[str, Suggestion] = {}
    for suggestion in ranked:
        slot = slot_of.get(suggestion.item_id)
        if slot in open_slots and slot not in chosen:
            chosen[slot] = suggestion
    return {slot: chosen[slot] for slot in open_slots if slot in chosen}
