"""The simulated shop of the offers benchmark: four offers, four segments, a known best offer each.

Rates are invented but plausible. The best offer of a segment is the most *profitable*
one (acceptance × (margin of the order − discount), at the shop's 30 % margin), which is
not always the most generous nor the most accepted: loyal high spenders take the 15 %
coupon most often, but free delivery earns more on their large baskets; lapsing
customers answer the 30 yuan win-back offer enough to make it the best for them.
Value if retained (the basis of the margin cap) and P(alive) ranges make at-risk
customers the ones with room for the win-back offer.
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
        {"FREESHIP": 0.20, "AMOUNT10": 0.36, "PERCENT15": 0.25, "COMEBACK30": 0.22},
        retained_clv=(1200, 2400),
        p_alive=(0.8, 1.0),
        order_value=(60, 120),
    ),
    SegmentProfile(
        "regular",
        {"FREESHIP": 0.32, "AMOUNT10": 0.22, "PERCENT15": 0.18, "COMEBACK30": 0.24},
        retained_clv=(1000, 1800),
        p_alive=(0.7, 0.95),
        order_value=(50, 110),
    ),
    SegmentProfile(
        "loyal_high_spender",
        {"FREESHIP": 0.34, "AMOUNT10": 0.24, "PERCENT15": 0.42, "COMEBACK30": 0.30},
        retained_clv=(2500, 5000),
        p_alive=(0.85, 0.99),
        order_value=(150, 200),
    ),
    SegmentProfile(
        "at_risk",
        {"FREESHIP": 0.10, "AMOUNT10": 0.14, "PERCENT15": 0.18, "COMEBACK30": 0.34},
        retained_clv=(1500, 3000),
        p_alive=(0.1, 0.4),
        order_value=(150, 250),
    ),
)
