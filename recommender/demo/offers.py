"""Demo marketing offers, one or more per customer segment (invented; amounts in CNY).

``segment`` is one of the RFM segments the recommender computes (new, promising, regular,
loyal_high_spender, at_risk, hibernating) or ``all``.

Every segment has at least two targeted offers besides the general FREESHIP, so the offer
bandit has something to choose between. Most are fixed amounts with a minimum spend: the
margin cap (``offers_policy.MarginRule``) prices a percent offer on the shopper's expected
order, and the demo's baskets (outfits, funds) are large, so a percent offer alone is rarely
within the budget of a promising or hibernating shopper.
"""

from __future__ import annotations

from typing import Any

SEGMENTS = ("new", "promising", "regular", "loyal_high_spender", "at_risk", "hibernating", "all")

OFFERS: list[dict[str, Any]] = [
    {"code": "WELCOME10", "segment": "new", "discount_type": "amount", "discount_value": 10, "min_spend": 59,
     "title_zh": "新人立减10元", "title_en": "10 yuan off your first order",
     "description_zh": "第一次下单满59元立减10元，零食、菜品和服饰都能用。",
     "description_en": "Spend 59 yuan on your first order and get 10 yuan off — snacks, dishes and clothes all count.",
     "active": True},
    {"code": "NEWFREEDESSERT", "segment": "new", "discount_type": "amount", "discount_value": 18, "min_spend": 88,
     "title_zh": "新客送甜品", "title_en": "A free dessert for new guests",
     "description_zh": "第一次在店里点餐满88元，送一份红糖冰粉或红豆沙。",
     "description_en": "Order 88 yuan of food on your first visit and we add an ice jelly or red bean soup on the house.",
     "active": True},
    {"code": "SECONDORDER15", "segment": "promising", "discount_type": "percent", "discount_value": 15, "min_spend": 99,
     "title_zh": "再来一单85折", "title_en": "15% off your next order",
     "description_zh": "感谢再次光临，这周内下单满99元打85折。",
     "description_en": "Thanks for coming back: 15% off any order over 99 yuan this week.",
     "valid_days": 7, "active": True},
    {"code": "SECOND20", "segment": "promising", "discount_type": "amount", "discount_value": 20, "min_spend": 129,
     "title_zh": "第二单满129减20", "title_en": "Second order: 20 yuan off over 129",
     "description_zh": "喜欢上次买的吗？再下一单满129元立减20元，14天内有效。",
     "description_en": "Liked your last order? Take 20 yuan off your next one over 129 yuan, valid for 14 days.",
     "valid_days": 14, "active": True},
    {"code": "SNACKBUNDLE", "segment": "regular", "discount_type": "amount", "discount_value": 20, "min_spend": 129,
     "title_zh": "零食茶饮组合减20", "title_en": "Snack and tea bundle: 20 yuan off",
     "description_zh": "坚果或巧克力配任意茶叶，满129元减20元，送礼自用都合适。",
     "description_en": "Pair nuts or chocolate with any tea and save 20 yuan on orders over 129 — for gifts or for you.",
     "active": True},
    {"code": "OUTFIT100", "segment": "regular", "discount_type": "amount", "discount_value": 100, "min_spend": 799,
     "title_zh": "整套搭配满799减100", "title_en": "Complete outfit: 100 yuan off over 799",
     "description_zh": "上衣、下装和鞋子一起买，满799元减100元。",
     "description_en": "Buy a top, bottom and shoes together and save 100 yuan on 799 or more.",
     "active": True},
    {"code": "VIPBIRTHDAY", "segment": "loyal_high_spender", "discount_type": "amount", "discount_value": 68, "min_spend": 0,
     "title_zh": "会员生日菜", "title_en": "Birthday dish for our regulars",
     "description_zh": "生日当月到店，送一道价值68元以内的招牌菜，谢谢一直以来的支持。",
     "description_en": "Visit in your birthday month for a signature dish worth up to 68 yuan, with our thanks for your loyalty.",
     "valid_days": 30, "active": True},
    {"code": "VIP20", "segment": "loyal_high_spender", "discount_type": "percent", "discount_value": 20, "min_spend": 300,
     "title_zh": "VIP专享8折", "title_en": "VIP 20% off",
     "description_zh": "满300元享8折，新品也参加。",
     "description_en": "20% off orders over 300 yuan, new arrivals included.",
     "active": True},
    {"code": "COMEBACK30", "segment": "at_risk", "discount_type": "amount", "discount_value": 30, "min_spend": 150,
     "title_zh": "好久不见，送你30元", "title_en": "We miss you: 30 yuan off",
     "description_zh": "好久没见到你了，满150元立减30元，30天内有效。",
     "description_en": "It has been a while. Here is 30 yuan off orders over 150, valid for 30 days.",
     "valid_days": 30, "active": True},
    {"code": "COMEBACK50", "segment": "at_risk", "discount_type": "amount", "discount_value": 50, "min_spend": 300,
     "title_zh": "老朋友回归满300减50", "title_en": "Welcome back, old friend: 50 yuan off over 300",
     "description_zh": "谢谢你以前常来，满300元立减50元，30天内有效。",
     "description_en": "Thank you for all your past orders: 50 yuan off orders over 300, valid for 30 days.",
     "valid_days": 30, "active": True},
    {"code": "WAKEUP20", "segment": "hibernating", "discount_type": "percent", "discount_value": 20, "min_spend": 80,
     "title_zh": "回归礼8折", "title_en": "Welcome back: 20% off",
     "description_zh": "欢迎回来，满80元打8折，看看我们这季的新品。",
     "description_en": "Welcome back: 20% off orders over 80 yuan — have a look at this season's new arrivals.",
     "active": True},
    {"code": "WAKEUP15", "segment": "hibernating", "discount_type": "amount", "discount_value": 15, "min_spend": 99,
     "title_zh": "回来看看，满99减15", "title_en": "Come and have a look: 15 yuan off over 99",
     "description_zh": "好久没来了，这季上了不少新品，满99元立减15元。",
     "description_en": "Lots of new arrivals since your last visit: 15 yuan off orders over 99.",
     "active": True},
    {"code": "FREESHIP", "segment": "all", "discount_type": "amount", "discount_value": 8, "min_spend": 49,
     "title_zh": "满49元包邮", "title_en": "Free delivery over 49 yuan",
     "description_zh": "订单满49元免8元运费。理财产品不适用。",
     "description_en": "Orders over 49 yuan ship free (we waive the 8 yuan fee). Not for financial products.",
     "active": True},
]
