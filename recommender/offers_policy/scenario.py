"""The simulated shop of the offers benchmark: four offers, four segments, a known best offer each.

Rates are invented but plausible; the best offer differs by segment and is not always
the most generous one, so a policy must learn rather than always give the most.
"""

from __future__ import annotations

from .arms import OfferArm
from .simulator import SegmentProfile

ARMS = (
    OfferArm("FREESHIP", "amount", 8, 49),
    OfferArm("AMOUNT10", "amount", 10, 59),
    OfferArm("PERCENT15", "percent", 15, 99),
    OfferArm("COMEBACK30", "amount", 30, 150),
)

PROFILES = (
    SegmentProfile(
        "new",
        {"FREESHIP": 0.20, "AMOUNT10": 0.35, "PERCENT15": 0.25, "COMEBACK30": 0.28},
        clv=(1000, 2000),
        p_alive=(0.6, 0.9),
        order_value=(60, 120),
    ),
    SegmentProfile(
        "regular",
        {"FREESHIP": 0.30, "AMOUNT10": 0.22, "PERCENT15": 0.18, "COMEBACK30": 0.24},
        clv=(800, 1500),
        p_alive=(0.7, 0.9),
        order_value=(50, 110),
    ),
    SegmentProfile(
        "loyal_high_spender",
        {"FREESHIP": 0.30, "AMOUNT10": 0.25, "PERCENT15": 0.45, "COMEBACK30": 0.35},
        clv=(2000, 5000),
        p_alive=(0.85, 0.99),
        order_value=(150, 200),
    ),
    SegmentProfile(
        "at_risk",
        {"FREESHIP": 0.10, "AMOUNT10": 0.15, "PERCENT15": 0.20, "COMEBACK30": 0.32},
        clv=(1500, 3000),
        p_alive=(0.1, 0.4),
        order_value=(150, 250),
    ),
)
