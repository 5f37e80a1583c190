"""Financial products of the demo shop (vertical ``finance``), with plainly stated risk.

``price`` is the minimum purchase amount in CNY; ``risk_level`` is 1..5 (R1..R5) and follows
the product type; goals are listed in ``tags``. All products, issuers and figures are invented.
"""

from __future__ import annotations

import random
from typing import Any

from .brands import brand

QUOTA_FULL = {"fin-006"}  # this product's quota is used up (stock 0)
OPEN_QUOTA = 9999  # "stock" of a product with open subscription

RISK_SENTENCES: dict[int, tuple[str, str]] = {
    1: ("风险等级R1（低风险）：本金亏损的可能性很小，收益也相对较低。",
        "Risk level R1 (low): losing capital is very unlikely, and returns are modest."),
    2: ("风险等级R2（中低风险）：净值会小幅波动，短期可能出现小额亏损，不保本。",
        "Risk level R2 (medium-low): the value moves a little and can show small short-term losses; capital is not guaranteed."),
    3: ("风险等级R3（中风险）：净值波动明显，一年内亏损5%到10%都有可能，不保本。",
        "Risk level R3 (medium): the value moves noticeably and a 5–10% loss within a year is possible; capital is not guaranteed."),
    4: ("风险等级R4（中高风险）：主要投资股票，有些年份可能下跌20%以上，适合能长期持有的人。",
        "Risk level R4 (medium-high): mostly shares; in some years it can fall more than 20%, so it suits people who can hold for years."),
    5: ("风险等级R5（高风险）：集中投资单一行业或高波动资产，短期可能大幅亏损，甚至腰斩。",
        "Risk level R5 (high): concentrated in one sector or volatile assets; large short-term losses, even halving, are possible."),
}

# category, issuer, name_zh, name_en, risk, horizon (months), minimum (CNY), goals, note_zh, note_en
PRODUCTS: list[tuple[Any, ...]] = [
    ("deposit", "golden_grain_bank", "三个月定期存款", "3-Month Term Deposit", 1, 3, 50, ("preservation", "emergency"),
     "年利率1.25%，到期自动转存，受存款保险保障。", "1.25% a year, rolls over at maturity, covered by deposit insurance."),
    ("deposit", "golden_grain_bank", "六个月定期存款", "6-Month Term Deposit", 1, 6, 50, ("preservation",),
     "年利率1.45%，提前支取按活期计息。", "1.45% a year; early withdrawal earns only the demand-deposit rate."),
    ("deposit", "golden_grain_bank", "一年期定期存款", "1-Year Term Deposit", 1, 12, 50, ("preservation", "income"),
     "年利率1.65%，受存款保险保障（50万元以内）。", "1.65% a year, covered by deposit insurance up to 500,000 yuan."),
    ("deposit", "golden_grain_bank", "三年期定期存款", "3-Year Term Deposit", 1, 36, 50, ("preservation", "education"),
     "年利率2.05%，适合给孩子存一笔教育金。", "2.05% a year; a simple way to set aside a child's education fund."),
    ("deposit", "golden_grain_bank", "五年期定期存款", "5-Year Term Deposit", 1, 60, 50, ("preservation", "retirement"),
     "年利率2.15%，期限长，中途取出会损失利息。", "2.15% a year; the term is long and withdrawing early costs interest."),
    ("deposit", "golden_grain_bank", "一年期大额存单", "1-Year Large Certificate of Deposit", 1, 12, 200000, ("preservation", "income"),
     "20万元起存，利率高于普通定期，可转让。", "From 200,000 yuan, a higher rate than an ordinary deposit, and transferable."),
    ("deposit", "golden_grain_bank", "三年期大额存单", "3-Year Large Certificate of Deposit", 1, 36, 200000, ("preservation", "income"),
     "20万元起存，年利率2.35%，到期一次还本付息。", "From 200,000 yuan at 2.35% a year, paid with the capital at maturity."),
    ("money_market", "steady_gain", "稳盈宝货币基金", "Steady Gain Cash Fund", 1, 1, 1, ("emergency", "preservation"),
     "1元起买，随时赎回，近一年七日年化约1.6%。", "From 1 yuan, redeem any time; the 7-day yield averaged about 1.6% last year."),
    ("money_market", "far_sail", "远帆现金管理A", "Far Sail Cash Management A", 1, 1, 1, ("emergency",),
     "工作日T+1到账，适合放工资和备用金。", "Money arrives the next working day; a place for your salary and emergency cash."),
    ("money_market", "golden_grain_bank", "金禾活钱宝", "Golden Grain Flexi Cash", 1, 1, 100, ("emergency", "preservation"),
     "单日快速赎回1万元以内实时到账。", "Fast redemption of up to 10,000 yuan a day arrives instantly."),
    ("money_market", "steady_gain", "稳盈七天通知理财", "Steady Gain 7-Day Notice Plan", 1, 1, 1000, ("emergency", "income"),
     "提前七天预约赎回，收益略高于活期。", "Give seven days' notice to redeem; a little more than a current account."),
    ("bond_fund", "steady_gain", "稳盈短债A", "Steady Gain Short-Term Bond A", 2, 3, 10, ("income", "preservation"),
     "主要投资一年内到期的高等级债券，建议持有三个月以上。", "Mostly high-grade bonds maturing within a year; hold for at least three months."),
    ("bond_fund", "far_sail", "远帆短债增利", "Far Sail Short Bond Plus", 2, 6, 10, ("income",),
     "过去三年最大回撤约0.8%，波动小。", "The worst fall in the past three years was about 0.8%; it moves little."),
    ("bond_fund", "far_sail", "远帆纯债一年定开", "Far Sail Pure Bond 1-Year", 2, 12, 1000, ("income", "preservation"),
     "每年开放一次申赎，只投债券不投股票。", "Opens once a year for buying and selling; bonds only, no shares."),
    ("bond_fund", "steady_gain", "稳盈中短债C", "Steady Gain Medium-Short Bond C", 2, 6, 10, ("income", "emergency"),
     "持有满7天免赎回费，适合半年左右的闲钱。", "No redemption fee after seven days; for spare money you will not need for about six months."),
    ("bond_fund", "golden_grain_bank", "储蓄国债（三年期）", "Savings Treasury Bond (3 Years)", 1, 36, 100, ("preservation", "education"),
     "国家信用发行，票面利率2.38%，100元起买。", "Issued on the state's credit at 2.38%; from 100 yuan."),
    ("bond_fund", "golden_grain_bank", "储蓄国债（五年期）", "Savings Treasury Bond (5 Years)", 1, 60, 100, ("preservation", "retirement"),
     "票面利率2.5%，提前兑取要扣部分利息。", "2.5% coupon; cashing in early gives up part of the interest."),
    ("bond_fund", "far_sail", "远帆二级债基", "Far Sail Enhanced Bond", 3, 12, 10, ("income", "growth"),
     "八成以上投债券，少量可转债和股票增强收益。", "Over 80% in bonds, with some convertibles and shares to lift returns."),
    ("bond_fund", "steady_gain", "稳盈信用债", "Steady Gain Credit Bond", 2, 12, 100, ("income",),
     "投资AA+以上企业债，收益比国债高一些。", "Corporate bonds rated AA+ or better, yielding a little more than government bonds."),
    ("mixed_fund", "steady_gain", "稳盈偏债混合", "Steady Gain Bond-Tilted Mixed", 3, 12, 100, ("income", "growth"),
     "债券打底，股票不超过三成，追求稳中有升。", "Bonds as the base and no more than 30% in shares, aiming for steady gains."),
    ("mixed_fund", "far_sail", "远帆平衡配置", "Far Sail Balanced Allocation", 3, 36, 100, ("growth", "retirement"),
     "股债各半动态调整，建议持有三年。", "About half shares and half bonds, rebalanced; hold for three years."),
    ("mixed_fund", "far_sail", "远帆养老目标2045", "Far Sail Target Retirement 2045", 3, 60, 100, ("retirement",),
     "离2045年越近越保守，有最短持有期三年。", "Becomes more conservative as 2045 approaches; minimum holding period three years."),
    ("mixed_fund", "steady_gain", "稳盈教育储备混合", "Steady Gain Education Reserve Mixed", 3, 36, 100, ("education", "growth"),
     "可以按月定投，为孩子上大学做准备。", "Can be bought monthly to prepare for a child's university years."),
    ("mixed_fund", "far_sail", "远帆灵活配置", "Far Sail Flexible Allocation", 4, 36, 10, ("growth",),
     "股票仓位0到95%灵活调整，波动较大。", "Share exposure anywhere from 0 to 95%, so it can swing a lot."),
    ("mixed_fund", "steady_gain", "稳盈偏股混合", "Steady Gain Equity-Tilted Mixed", 4, 60, 10, ("growth", "retirement"),
     "六成以上投股票，适合长期定投。", "Over 60% in shares; suited to long-term monthly investing."),
    ("mixed_fund", "far_sail", "远帆价值精选", "Far Sail Value Select", 4, 60, 10, ("growth",),
     "精选低估值蓝筹股，基金经理从业十二年。", "Picks undervalued blue chips; the manager has twelve years' experience."),
    ("mixed_fund", "steady_gain", "稳盈稳健回报", "Steady Gain Steady Return", 3, 12, 1000, ("income",),
     "固收加策略，股票仓位一到二成。", "A fixed-income-plus strategy with 10–20% in shares."),
    ("mixed_fund", "far_sail", "远帆养老目标2035", "Far Sail Target Retirement 2035", 3, 60, 100, ("retirement", "preservation"),
     "目标日期更近，当前股票约三成。", "A nearer target date, with about 30% in shares today."),
    ("equity_fund", "far_sail", "远帆消费升级", "Far Sail Consumer Upgrade", 4, 60, 10, ("growth",),
     "投资食品饮料、家电和旅游等消费龙头。", "Invests in leading consumer companies: food and drink, appliances and travel."),
    ("equity_fund", "far_sail", "远帆医疗健康", "Far Sail Healthcare", 5, 60, 10, ("growth",),
     "集中投资医药行业，受政策影响大。", "Concentrated in healthcare, strongly affected by policy changes."),
    ("equity_fund", "steady_gain", "稳盈科技创新", "Steady Gain Tech Innovation", 5, 60, 10, ("growth",),
     "投资人工智能、软件和通信，弹性大。", "Invests in AI, software and telecoms; swings hard both ways."),
    ("equity_fund", "far_sail", "远帆新能源", "Far Sail New Energy", 5, 60, 10, ("growth",),
     "光伏、锂电和新能源车产业链，曾一年下跌40%。", "Solar, batteries and electric cars; it once fell 40% in a year."),
    ("equity_fund", "steady_gain", "稳盈半导体", "Steady Gain Semiconductors", 5, 60, 10, ("growth",),
     "芯片设计和制造企业，行业周期性强。", "Chip designers and makers; a strongly cyclical industry."),
    ("equity_fund", "far_sail", "远帆红利优选", "Far Sail Dividend Select", 4, 36, 10, ("growth", "income"),
     "选择持续高分红的公司，波动比一般股票基金小。", "Companies with steady, high dividends; moves less than most equity funds."),
    ("equity_fund", "steady_gain", "稳盈大盘成长", "Steady Gain Large-Cap Growth", 4, 60, 10, ("growth", "retirement"),
     "投资各行业的大盘成长股。", "Large-cap growth companies across industries."),
    ("equity_fund", "far_sail", "远帆港股通精选", "Far Sail Hong Kong Connect Select", 5, 60, 10, ("growth",),
     "投资港股，还要承担汇率波动。", "Invests in Hong Kong shares, which adds currency risk."),
    ("index_fund", "far_sail", "远帆沪深300指数", "Far Sail CSI 300 Index", 4, 36, 10, ("growth", "retirement"),
     "跟踪沪深300，管理费0.15%，适合定投。", "Tracks the CSI 300 with a 0.15% fee; suits monthly investing."),
    ("index_fund", "far_sail", "远帆中证500指数", "Far Sail CSI 500 Index", 4, 60, 10, ("growth",),
     "跟踪中盘股指数，波动比沪深300更大。", "Tracks mid-caps and swings more than the CSI 300."),
    ("index_fund", "steady_gain", "稳盈创业板ETF联接", "Steady Gain ChiNext ETF Feeder", 5, 60, 10, ("growth",),
     "跟踪创业板指数，成长股多，涨跌都快。", "Tracks ChiNext: growth companies that rise and fall fast."),
    ("index_fund", "steady_gain", "稳盈标普500指数（QDII）", "Steady Gain S&P 500 Index (QDII)", 4, 60, 10, ("growth", "retirement"),
     "投资美国大盘股，人民币计价有汇率风险。", "US large caps, priced in yuan with exchange-rate risk."),
    ("index_fund", "far_sail", "远帆红利低波指数", "Far Sail Low-Volatility Dividend Index", 3, 36, 10, ("income", "growth"),
     "高股息低波动的股票组合，历史回撤较小。", "A basket of high-dividend, low-volatility shares with smaller past drawdowns."),
    ("index_fund", "steady_gain", "稳盈中证A50指数", "Steady Gain CSI A50 Index", 4, 36, 10, ("growth",),
     "跟踪五十家行业龙头。", "Tracks fifty industry leaders."),
    ("index_fund", "far_sail", "远帆纳斯达克100（QDII）", "Far Sail Nasdaq-100 (QDII)", 5, 60, 10, ("growth",),
     "美国科技股为主，额度有限，波动大。", "Mostly US tech companies; limited quota and large swings."),
    ("index_fund", "steady_gain", "稳盈国债指数", "Steady Gain Government Bond Index", 2, 12, 10, ("preservation", "income"),
     "跟踪国债指数，波动小，费率低。", "Tracks a government bond index with low fees and small moves."),
    ("gold", "red_gold", "赤金坊黄金ETF联接", "Red Gold House Gold ETF Feeder", 3, 36, 10, ("preservation", "growth"),
     "跟踪上海金价格，用来对冲通胀和分散风险。", "Tracks the Shanghai gold price to hedge inflation and diversify."),
    ("gold", "golden_grain_bank", "金禾积存金", "Golden Grain Gold Accumulation Plan", 3, 12, 500, ("preservation",),
     "按克积攒黄金，可以每月定投，到期可兑换实物。", "Save gold by the gram each month and swap it for bullion later."),
    ("gold", "red_gold", "赤金坊投资金条 20克", "Red Gold House Investment Bar 20 g", 3, 60, 11000, ("preservation", "retirement"),
     "实物金条，回购时按当日金价扣手续费。", "A physical bar; buy-back is at the day's price minus a fee."),
    ("gold", "red_gold", "赤金坊黄金定投计划", "Red Gold House Monthly Gold Plan", 3, 36, 200, ("preservation", "education"),
     "每月自动买入黄金，摊平成本。", "Buys gold automatically every month to average out the price."),
    ("money_market", "golden_grain_bank", "金禾天天利", "Golden Grain Daily Interest", 1, 1, 1, ("emergency",),
     "节假日也有收益，消费可直接支付。", "Earns on holidays too, and you can pay with it directly."),
    ("bond_fund", "steady_gain", "稳盈同业存单指数", "Steady Gain Interbank CD Index", 2, 6, 10, ("preservation", "income"),
     "投资银行同业存单，收益略高于货币基金。", "Invests in interbank certificates of deposit, yielding a little more than a cash fund."),
]

RISK_LABEL = {1: "R1", 2: "R2", 3: "R3", 4: "R4", 5: "R5"}


def with_issuer(issuer: str, name: str, stem: str) -> str:
    """The issuer before the product name, unless the name already carries it (稳盈宝, Steady Gain Cash Fund)."""
    return name if name.startswith(stem) else f"{issuer} {name}"


def build_finance(rng: random.Random) -> list[dict[str, Any]]:
    """Return the finance-vertical items in import format (price = minimum purchase in CNY).

    ``rng`` is unused (finance data is fixed) but kept so all vertical builders share one signature.
    """
    items: list[dict[str, Any]] = []
    for index, product in enumerate(PRODUCTS, start=1):
        category, issuer_id, name_zh, name_en, risk, horizon, minimum, goals, note_zh, note_en = product
        issuer = brand(issuer_id)
        risk_zh, risk_en = RISK_SENTENCES[risk]
        item_id = f"fin-{index:03d}"
        items.append({
            "id": item_id,
            "vertical": "finance",
            "category": category,
            "title_zh": with_issuer(issuer["zh"], name_zh, issuer["zh"][:2]),
            "title_en": with_issuer(issuer["en"], name_en, issuer["en"].split()[0]),
            "description_zh": f"{note_zh}{risk_zh}",
            "description_en": f"{note_en} {risk_en}",
            "brand": issuer_id,
            "colour": None,
            "sizes": [],
            "price": float(minimum),
            "currency": "CNY",
            "stock": 0 if item_id in QUOTA_FULL else OPEN_QUOTA,
            "tags": [*goals, RISK_LABEL[risk].lower()],
            "tastes": [],
            "dietary": [],
            "allergens": [],
            "occasions": [],
            "risk_level": risk,
            "horizon_months": horizon,
        })
    return items


def finance_terms() -> list[str]:
    """Chinese product-type words that the tokenizer should keep whole."""
    return ["大额存单", "定期存款", "货币基金", "债券基金", "指数基金", "积存金", "国债", "养老目标", "定投"]
