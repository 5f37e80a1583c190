"""Every text the actions send, in Chinese and English, keyed by message id."""

import logging
from typing import Any, Dict, Optional

from actions.constants import DEFAULT_LANGUAGE, LANGUAGES

logger = logging.getLogger(__name__)

MESSAGES: Dict[str, Dict[str, str]] = {
    # --- recommendations
    "results_header": {"zh": "为你找到{n}个推荐：", "en": "Here's what I found ({n}):"},
    "results_relaxed": {
        "zh": "没有完全符合条件的，我放宽了一点条件，看看这些：",
        "en": "Nothing matched exactly, so I relaxed the filters a little:",
    },
    "no_results": {
        "zh": "抱歉，没有找到符合条件的。换个价格或类别试试？",
        "en": "Sorry, nothing matches that. Try another price or category?",
    },
    "backend_down_items": {
        "zh": "抱歉，推荐服务暂时连不上。先看看这些热门的：",
        "en": "Sorry, the recommendation service is not reachable right now. Meanwhile, here are some popular picks:",
    },
    "backend_down": {
        "zh": "抱歉，推荐服务暂时连不上，请稍后再试。",
        "en": "Sorry, the recommendation service is not reachable right now. Please try again in a moment.",
    },
    "unexpected_error": {
        "zh": "抱歉，我这边出了点问题，请稍后再试一次。",
        "en": "Sorry, something went wrong on my side. Please try again in a moment.",
    },
    "item_line": {"zh": "{index}. {title} {price}", "en": "{index}. {title} {price}"},
    "ask_what": {
        "zh": "你想找什么呢？比如：500元以内适合约会的连衣裙。",
        "en": "What are you looking for? For example: a dress for a date under 500 yuan.",
    },
    "outfit_header": {"zh": "围绕「{title}」给你搭了一套：", "en": "An outfit built around {title}:"},
    "outfit_pick_anchor": {
        "zh": "先选一件你喜欢的，我再围绕它帮你搭配：",
        "en": "Pick a piece you like and I'll build an outfit around it:",
    },
    "together_header": {
        "zh": "经常和「{title}」一起买的：",
        "en": "Often bought together with {title}:",
    },
    "similar_products_header": {
        "zh": "和「{title}」相似的理财产品：",
        "en": "Products similar to {title}:",
    },
    "together_or_similar_header": {
        "zh": "和「{title}」经常一起买、一起喜欢或相似的（原因见每张卡片）：",
        "en": "Often bought or liked together with {title}, or similar to it (each card says which):",
    },
    # --- referenced items
    "nothing_shown": {
        "zh": "我还没给你推荐过东西呢，想看看什么？",
        "en": "I haven't shown you anything yet. What would you like to see?",
    },
    "buy_not_shown": {
        "zh": "「{title}」不在这次聊天推荐给你的列表里。先让我帮你找找，再从卡片上下单吧。",
        "en": "{title} isn't in the lists I've shown you in this chat. Let me find it for you first, then order from a card.",
    },
    "no_such_item": {
        "zh": "我刚才只推荐了{n}个，你说的是哪一个？",
        "en": "I only showed {n} items. Which one do you mean?",
    },
    "unknown_item": {
        "zh": "抱歉，没找到这件商品，你说的是哪一个？",
        "en": "Sorry, I can't find that item. Which one do you mean?",
    },
    "like_ack": {
        "zh": "很高兴你喜欢「{title}」！说“加入购物车”就可以先收着。",
        "en": 'Glad you like {title}! Say "add to cart" to keep it.',
    },
    "dislike_ack": {
        "zh": "好的，不推荐「{title}」了。换几个给你看看：",
        "en": "Got it, no more {title}. Here are some alternatives:",
    },
    "dislike_noted": {
        "zh": "好的，记下了，不再推荐「{title}」。",
        "en": "Got it, I won't suggest {title} again.",
    },
    "order_sold_out": {
        "zh": "抱歉，「{title}」刚刚卖完了，没有下单。要我找找类似的吗？",
        "en": "Sorry, {title} has just sold out, so no order was placed. Shall I look for something similar?",
    },
    "order_rejected": {
        "zh": "抱歉，「{title}」暂时无法下单。",
        "en": "Sorry, {title} can't be ordered right now.",
    },
    "feedback_not_saved": {
        "zh": "（这条反馈暂时没能保存。）",
        "en": "(I couldn't save that feedback just now.)",
    },
    "explain": {"zh": "推荐「{title}」的原因：{reason}", "en": "Why {title}: {reason}"},
    "explain_generic": {
        "zh": "「{title}」符合你刚才说的条件。",
        "en": "{title} matches what you asked for.",
    },
    "cart_added": {
        "zh": "已把「{title}」加入购物车。还需要别的吗？",
        "en": "Added {title} to your cart. Anything else?",
    },
    "cart_failed": {
        "zh": "抱歉，暂时没能把「{title}」加入购物车，请稍后再试。",
        "en": "Sorry, I couldn't add {title} to your cart just now. Please try again in a moment.",
    },
    "order_placed": {
        "zh": "下单成功：「{title}」×1，{price}。订单号：{order_id}。",
        "en": "Order placed: 1 × {title}, {price}. Order number: {order_id}.",
    },
    "order_placed_discount": {
        "zh": "下单成功：「{title}」×1，{price}。已用优惠券 {code} 减{discount}，实付{payable}。订单号：{order_id}。",
        "en": "Order placed: 1 × {title}, {price}. Offer {code} took {discount} off: you pay {payable}. Order number: {order_id}.",
    },
    "order_failed": {
        "zh": "抱歉，暂时无法确认「{title}」的订单。重试前请先看看订单记录。",
        "en": "Sorry, I couldn't confirm the order for {title} just now. Please check your orders before trying again.",
    },
    # --- people
    "handoff_done": {
        "zh": "好的，已为你转接人工客服，同事会尽快在这里回复你。",
        "en": "OK, a colleague will take over and reply here shortly.",
    },
    "handoff_failed": {
        "zh": "我已尝试转接人工客服，但系统暂时出了问题，可能要多等一会儿。如果几分钟内没人回复，请再说一次“转人工”。",
        "en": "I tried to bring in a colleague, but our system is having trouble, so it may take longer. If nobody answers within a few minutes, please ask for a person again.",
    },
    "apology": {"zh": "非常抱歉给你带来不好的体验。", "en": "I'm really sorry about that."},
    "offer_human": {
        "zh": "抱歉让你不满意。需要我帮你转人工客服吗？",
        "en": "I'm sorry this isn't going well. Would you like me to bring in a person from our team?",
    },
    "offer_human_declined": {
        "zh": "好的，我继续帮你。可以换个说法告诉我你想要什么。",
        "en": "OK, I'll keep helping. Tell me again what you're looking for, in other words if you like.",
    },
    "complain_ask": {
        "zh": "非常抱歉给你带来不好的体验。能告诉我哪里出了问题吗？我来帮你处理。",
        "en": "I'm really sorry about that. Could you tell me what went wrong? I'll do my best to fix it.",
    },
    "fallback_clarify": {
        "zh": "抱歉，我没太明白。你可以这样问我：\n· 500元以内适合约会的连衣裙\n· 推荐几道不辣的素菜\n· 10万块一年期的稳健理财\n· 转人工",
        "en": "Sorry, I didn't quite get that. You can ask me things like:\n· a dress for a date under 500 yuan\n· mild vegetarian dishes\n· a low-risk product for 100,000 yuan over one year\n· talk to a person",
    },
    "fallback_human": {
        "zh": "抱歉，我还是没明白。",
        "en": "Sorry, I still didn't get that.",
    },
    # --- small talk
    "greet": {
        "zh": "你好，我是店小二！想买点什么、吃点什么，还是看看理财？",
        "en": "Hi, I'm Dianxiaoer, your shopping assistant! Looking for something to buy, eat or invest in?",
    },
    "consent_question": {
        "zh": "另外，可以用你的聊天和购买记录来个性化推荐吗？（可以/不用）",
        "en": "May I use your chats and purchases to personalise recommendations? (yes/no)",
    },
    "consent_yes": {
        "zh": "好的，谢谢！之后的推荐会更懂你。想找点什么？",
        "en": "Thanks! I'll personalise your recommendations. What are you looking for?",
    },
    "consent_no": {
        "zh": "好的，不会用你的记录做个性化推荐。想找点什么？",
        "en": "OK, I won't use your history to personalise. What are you looking for?",
    },
    "consent_not_saved": {
        "zh": "抱歉，你的选择暂时没能保存，请稍后再告诉我一次。",
        "en": "Sorry, I couldn't save your choice just now. Please tell me again in a moment.",
    },
    "goodbye": {"zh": "再见，欢迎随时回来！", "en": "Goodbye, come back any time!"},
    "thanks": {"zh": "不客气！还有什么可以帮你？", "en": "You're welcome! Anything else I can do?"},
    "affirm": {"zh": "好的！想看点什么？", "en": "Great! What would you like to see?"},
    "deny": {"zh": "好的。还有别的需要吗？", "en": "OK. Anything else I can help with?"},
    "out_of_scope": {
        "zh": "这个我帮不上忙。我擅长：商品和穿搭推荐、点菜、理财产品推荐。",
        "en": "I can't help with that. I'm good at products and outfits, dishes, and financial products.",
    },
    # --- finance
    "risk_level": {"zh": "你的风险等级是 {label}。", "en": "Your risk level is {label}."},
    "risk_ceiling": {
        "zh": "我只推荐 {label} 及以下风险的产品。",
        "en": "I only show products at {label} or below.",
    },
    "risk_level_provisional": {
        "zh": "你还没完成风险测评，先按稳健的 {label} 来。",
        "en": "You haven't completed the risk questions, so I'm using a cautious {label}.",
    },
    "risk_profile_failed": {
        "zh": "抱歉，风险测评服务暂时连不上，先按稳健的 {label} 来。",
        "en": "Sorry, the risk assessment service is not reachable right now, so I'm using a cautious {label}.",
    },
    "ask_risk_loss_reaction": {
        "zh": "先了解一下你的风险偏好～如果你的投资一个月内下跌10%，你会：A 卖出  B 继续持有  C 加仓？",
        "en": "First, a quick question about risk: if your investment fell 10% in a month, "
        "would you A) sell, B) hold, or C) buy more?",
    },
    "ask_risk_experience": {
        "zh": "你之前有投资基金或股票的经验吗？A 没有  B 有一些  C 很丰富",
        "en": "Have you invested in funds or stocks before? A) no experience, B) some experience, C) very experienced",
    },
    "risk_answer_invalid": {"zh": "请回答 A、B 或 C。", "en": "Please answer A, B or C."},
    # --- offers
    "offers_header": {"zh": "给你的优惠：", "en": "Offers for you:"},
    "offers_none": {
        "zh": "暂时没有适合你的优惠，过几天再来看看吧。",
        "en": "No offers for you right now. Check back in a few days.",
    },
    "offers_failed": {
        "zh": "抱歉，优惠信息暂时查不到，请稍后再试。",
        "en": "Sorry, I can't fetch offers right now. Please try again later.",
    },
    "offer_question": {
        "zh": "要领取这张优惠券吗？回复“好的”或“不用了”。",
        "en": "Would you like to claim this offer? Say yes or no.",
    },
    "offer_already_held": {
        "zh": "你已经有一张还没用的优惠券了，先用掉它吧（下单时自动抵扣）；{code} 这次不能叠加领取。",
        "en": "You already hold an unused offer, which applies at your next checkout; {code} can't be added on top of it.",
    },
    "offer_accepted": {
        "zh": "已为你领取优惠券 {code}，结算时自动抵扣。",
        "en": "Offer {code} is yours; it applies at checkout.",
    },
    "answer_yes": {"zh": "好的", "en": "Yes"},
    "answer_no": {"zh": "不用了", "en": "No"},
    "offer_declined": {
        "zh": "好的，不领也没关系。还想看点什么？",
        "en": "No problem. What else can I show you?",
    },
    "offer_answer_failed": {
        "zh": "抱歉，优惠券暂时没领上，请稍后再说一次“好的”。",
        "en": "Sorry, I couldn't claim that offer just now. Please say yes again in a moment.",
    },
}


def say(key: str, lang: Optional[str], **values: Any) -> str:
    """Return message ``key`` in ``lang`` (default zh) with ``values`` filled in."""
    texts = MESSAGES[key]
    template = texts[lang if lang in LANGUAGES else DEFAULT_LANGUAGE]
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        logger.error("Message %s misses a value", key, exc_info=True)
        return template


def format_price(amount: Any, currency: Any) -> str:
    """``(499, "CNY")`` -> ``¥499``; ``(69.3, "USD")`` -> ``$69.30``; unknown -> ``""``."""
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return ""
    number = f"{value:.0f}" if value == int(value) else f"{value:.2f}"
    symbol = {"CNY": "¥", "USD": "$"}.get(str(currency or "").upper())
    return f"{symbol}{number}" if symbol else f"{number} {currency or ''}".strip()
