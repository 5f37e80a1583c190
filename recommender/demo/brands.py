"""Invented bilingual brands of the demo catalog (any resemblance to a real brand is accidental)."""

from __future__ import annotations

from typing import TypedDict


class Brand(TypedDict):
    """One demo brand."""

    id: str  # canonical brand id stored on items and used as the NLU entity value
    zh: str  # Chinese brand name as shoppers write it
    en: str  # English brand name
    vertical: str  # product | fashion | finance


BRANDS: list[Brand] = [
    # groceries, snacks and drinks
    {"id": "wild_hill", "zh": "山野记", "en": "Wild Hill", "vertical": "product"},
    {"id": "cocoa_lane", "zh": "可可坊", "en": "Cocoa Lane", "vertical": "product"},
    {"id": "wheat_village", "zh": "麦香村", "en": "Wheat Village", "vertical": "product"},
    {"id": "cloud_ridge", "zh": "云岭茶园", "en": "Cloud Ridge", "vertical": "product"},
    {"id": "morning_roast", "zh": "晨焙", "en": "Morning Roast", "vertical": "product"},
    {"id": "clear_spring", "zh": "清泉谷", "en": "Clear Spring", "vertical": "product"},
    {"id": "pasture_days", "zh": "牧场时光", "en": "Pasture Days", "vertical": "product"},
    {"id": "orchard_fresh", "zh": "果园鲜", "en": "Orchard Fresh", "vertical": "product"},
    {"id": "noodle_hub", "zh": "面面俱到", "en": "Noodle Hub", "vertical": "product"},
    {"id": "happy_kitty", "zh": "小馋猫", "en": "Happy Kitty", "vertical": "product"},
    {"id": "nordic_grove", "zh": "北欧森林", "en": "Nordic Grove", "vertical": "product"},
    {"id": "fortune_hall", "zh": "福满堂", "en": "Fortune Hall", "vertical": "product"},
    # fashion
    {"id": "plainly", "zh": "素简", "en": "Plainly", "vertical": "fashion"},
    {"id": "ninemoon", "zh": "玖月", "en": "Ninemoon", "vertical": "fashion"},
    {"id": "urban_order", "zh": "城序", "en": "Urban Order", "vertical": "fashion"},
    {"id": "leap_active", "zh": "跃动", "en": "Leap Active", "vertical": "fashion"},
    {"id": "hemu", "zh": "禾木", "en": "Hemu", "vertical": "fashion"},
    {"id": "glimmer", "zh": "拾光", "en": "Glimmer", "vertical": "fashion"},
    {"id": "stride", "zh": "步履", "en": "Stride", "vertical": "fashion"},
    {"id": "north_edge", "zh": "北境", "en": "North Edge", "vertical": "fashion"},
    # financial product issuers
    {"id": "golden_grain_bank", "zh": "金禾银行", "en": "Golden Grain Bank", "vertical": "finance"},
    {"id": "steady_gain", "zh": "稳盈资管", "en": "Steady Gain", "vertical": "finance"},
    {"id": "far_sail", "zh": "远帆基金", "en": "Far Sail Funds", "vertical": "finance"},
    {"id": "red_gold", "zh": "赤金坊", "en": "Red Gold House", "vertical": "finance"},
]

BRANDS_BY_ID: dict[str, Brand] = {brand["id"]: brand for brand in BRANDS}


def brand(brand_id: str) -> Brand:
    """Return the brand with this canonical id (KeyError with the known ids otherwise)."""
    try:
        return BRANDS_BY_ID[brand_id]
    except KeyError:
        raise KeyError(f"unknown brand {brand_id!r}; known: {sorted(BRANDS_BY_ID)}") from None
