"""Bilingual reason templates. Every function returns {"zh": ..., "en": ...}.

Item titles are shown in the reason's language; vocabulary values (tastes, occasions,
tags...) through their zh/en display forms from vocabulary.yml.
"""

from __future__ import annotations

from .catalog import Catalog
from .vocabulary import label

Reasons = dict[str, str]

# (zh template, en template) per vocabulary section; {v} is the value's display form.
ATTRIBUTE_TEMPLATES: dict[str, tuple[str, str]] = {
    "taste": ("符合「{v}」口味", "Matches '{v}'"),
    "occasion": ("适合「{v}」场合", "Good for '{v}'"),
    "dietary": ("符合「{v}」饮食要求", "Fits '{v}'"),
    "goal": ("适合「{v}」目标", "Fits your goal: '{v}'"),
    "colour": ("「{v}」款", "In '{v}'"),
    "category": ("属于「{v}」", "In '{v}'"),
}
DEFAULT_ATTRIBUTE_TEMPLATE = ("符合「{v}」", "Matches '{v}'")


def titles(catalog: Catalog, position: int) -> Reasons:
    """An item's title in both languages."""
    return {"zh": catalog.title(position, "zh"), "en": catalog.title(position, "en")}


# "Because you ..." per the shopper's strongest positive interaction with the source item
# (constants.POSITIVE_KINDS): the reason names what the shopper actually did.
BECAUSE_TEMPLATES: dict[str, tuple[str, str]] = {
    "purchase": ("因为你买了「{zh}」", "Because you bought {en}"),
    "cart": ("因为你把「{zh}」加入了购物车", "Because you added {en} to your cart"),
    "like": ("因为你喜欢「{zh}」", "Because you liked {en}"),
    "rating": ("因为你给「{zh}」打了高分", "Because you rated {en} highly"),
    "click": ("因为你看过「{zh}」", "Because you looked at {en}"),
    "view": ("因为你看过「{zh}」", "Because you looked at {en}"),
}

# Display names of the customer segments (engine/segments.py, clv/segments.py) as a reason
# shows them to the shopper: (zh, placed before 顾客; en, a plural group). Worded kindly:
# nobody is told they are "at risk" or "hibernating".
SEGMENT_NAMES: dict[str, tuple[str, str]] = {
    "new": ("首购", "new shoppers"),
    "loyal_high_spender": ("忠实高消费", "loyal high spenders"),
    "promising": ("潜力", "up-and-coming regulars"),
    "at_risk": ("资深", "long-standing shoppers"),
    "hibernating": ("回归", "returning shoppers"),
    "regular": ("常购", "regular shoppers"),
}


def because(kind: str, item: Reasons) -> Reasons:
    """The shopper's own interaction of ``kind`` (purchase, cart, like, rating, click, view)
    with a related item; an unknown kind only says the items are similar."""
    template = BECAUSE_TEMPLATES.get(kind)
    if template is None:
        return similar_to(item)
    return {"zh": template[0].format(zh=item["zh"]), "en": template[1].format(en=item["en"])}


def popular_in_segment(segment: str) -> Reasons:
    """Per-segment popularity: shoppers of the shopper's own segment buy this."""
    if segment not in SEGMENT_NAMES:
        return {"zh": "和你相似的顾客都在买", "en": "Popular with shoppers like you"}
    zh, en = SEGMENT_NAMES[segment]
    return {"zh": f"「{zh}」顾客都在买", "en": f"Popular with {en} like you"}


def liked_together(item: Reasons) -> Reasons:
    """Item-kNN around an anchor: shoppers interested in the anchor (views, clicks, carts, likes,
    purchases: what the neighbours are built from) were interested in this too."""
    return {"zh": f"关注「{item['zh']}」的人也在看", "en": f"People interested in {item['en']} also looked at this"}


def bought_with(item: Reasons) -> Reasons:
    """Association rule."""
    return {"zh": f"经常和「{item['zh']}」一起购买", "en": f"Often bought with {item['en']}"}


def bought_with_both(first: Reasons, second: Reasons) -> Reasons:
    """Association rule with a two-item antecedent: it needs both items."""
    return {
        "zh": f"买了「{first['zh']}」和「{second['zh']}」的人常常也买它",
        "en": f"Often bought with {first['en']} and {second['en']} together",
    }


def similar_to(item: Reasons) -> Reasons:
    """Content similarity to an anchor item."""
    return {"zh": f"和「{item['zh']}」相似", "en": f"Similar to {item['en']}"}


def goes_with(item: Reasons) -> Reasons:
    """Outfit completion around the anchor."""
    return {"zh": f"搭配你选的「{item['zh']}」", "en": f"Goes with your {item['en']}"}


def goes_with_and_bought(item: Reasons) -> Reasons:
    """Outfit completion around the anchor, also backed by a co-purchase rule."""
    return {
        "zh": f"搭配你选的「{item['zh']}」，也常和它一起购买",
        "en": f"Goes with your {item['en']}, and is often bought with it",
    }


def popular() -> Reasons:
    """Popularity."""
    return {"zh": "热销", "en": "Popular right now"}


def within_risk_level(level: int) -> Reasons:
    """Finance suitability: the product is within the shopper's risk ceiling."""
    return {"zh": f"匹配你的风险等级 R{int(level)}", "en": f"Within your risk level R{int(level)}"}


def matches_attribute(section: str, value: str) -> Reasons:
    """A vocabulary attribute of the item matched what the shopper asked for."""
    zh_template, en_template = ATTRIBUTE_TEMPLATES.get(section, DEFAULT_ATTRIBUTE_TEMPLATE)
    lookup = section if section in ATTRIBUTE_TEMPLATES else None
    return {
        "zh": zh_template.format(v=label(value, "zh", lookup)),
        "en": en_template.format(v=label(value, "en", lookup)),
    }


def matches_term(term: str) -> Reasons:
    """A word of the query appears in the item's text."""
    zh_template, en_template = DEFAULT_ATTRIBUTE_TEMPLATE
    return {"zh": zh_template.format(v=term), "en": en_template.format(v=term)}


def combine(reasons: list[Reasons]) -> Reasons:
    """Several reasons in one sentence."""
    return {"zh": "，".join(r["zh"] for r in reasons), "en": "; ".join(r["en"] for r in reasons)}


def matches_request() -> Reasons:
    """No ranking signal applies: the item is shown because it fits the request's filters."""
    return {"zh": "符合你的要求", "en": "Matches what you asked for"}


def closest_match() -> Reasons:
    """Nothing fit every wish: a soft filter (occasion, colour, brand) was dropped for this item."""
    return {"zh": "没有完全符合的，这个最接近你的要求", "en": "Closest to what you asked for"}


def no_exact_match() -> Reasons:
    """Shown for words nothing in the shop matched: the item fits no word of the request."""
    return {"zh": "没有找到完全符合的，可以看看这个", "en": "Nothing matched exactly; you might like this"}


def featured() -> Reasons:
    """A catalog pick shown without interaction data (e.g. a new shop)."""
    return {"zh": "为你精选", "en": "Picked for you"}


def with_risk_level(level: int, reasons: Reasons) -> Reasons:
    """Prefix a finance suggestion's reason with the suitability statement."""
    risk = within_risk_level(level)
    return {"zh": f"{risk['zh']}，{reasons['zh']}", "en": f"{risk['en']}; {reasons['en']}"}
