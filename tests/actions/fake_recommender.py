"""A small real HTTP server speaking the recommender contract with canned data.

It records every request (method, path, query, JSON body, headers) so tests can
assert what the actions sent. ``mode`` switches it to "slow" (sleeps longer than the
client's timeout) or "error" (HTTP 500).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qs, unquote, urlparse

TOKEN = "test-service-token-0123456789"
USD_CNY = 7.2
SAVE20_OFF, SAVE20_MIN_SPEND = 20.0, 200.0  # the one offer the fake shows: 满200减20


def _item(id_, vertical, category, zh, en, brand, colour, price, reason_zh, reason_en, **attributes):
    return {
        "id": id_,
        "vertical": vertical,
        "category": category,
        "titles": {"zh": zh, "en": en},
        "brand": brand,
        "colour": colour,
        "price": price,
        "currency": "CNY",
        "reasons": {"zh": reason_zh, "en": reason_en},
        "attributes": attributes,
    }


CATALOG: List[Dict[str, Any]] = [
    _item(
        "f1",
        "fashion",
        "dress",
        "红色约会连衣裙",
        "Red date dress",
        "Lumi",
        "red",
        459,
        "适合约会，在你的预算内",
        "Suits a date and fits your budget",
        occasions=["date"],
    ),
    _item(
        "f2",
        "fashion",
        "dress",
        "黑色小黑裙",
        "Little black dress",
        "Mori",
        "black",
        399,
        "和你喜欢的款式相似",
        "Similar to styles you liked",
        occasions=["date", "party"],
    ),
    _item(
        "f3",
        "fashion",
        "dress",
        "蓝色碎花裙",
        "Blue floral dress",
        "Lumi",
        "blue",
        299,
        "很多人买过",
        "Popular with shoppers",
        occasions=["casual"],
    ),
    _item(
        "f4",
        "fashion",
        "heels",
        "裸色高跟鞋",
        "Nude heels",
        "Mori",
        "beige",
        259,
        "和这条裙子很搭",
        "Goes well with the dress",
        slot="shoes",
    ),
    _item(
        "d1",
        "dish",
        "tofu",
        "麻婆豆腐（素）",
        "Vegetarian mapo tofu",
        None,
        None,
        38,
        "辣而且是素的",
        "Spicy and vegetarian",
        tastes=["spicy"],
        dietary=["vegetarian"],
        allergens=["soy"],
    ),
    _item(
        "d2",
        "dish",
        "noodles",
        "担担面",
        "Dan dan noodles",
        None,
        None,
        28,
        "很受欢迎",
        "A favourite",
        tastes=["spicy"],
        dietary=[],
        allergens=["peanut", "gluten"],
    ),
    _item(
        "p1",
        "product",
        "snacks",
        "麻辣牛肉干",
        "Spicy beef jerky",
        "Yum",
        None,
        45,
        "热销",
        "Best seller",
        allergens=[],
    ),
    _item(
        "p2",
        "product",
        "drinks",
        "冰镇可乐",
        "Iced cola",
        "Fizz",
        None,
        5,
        "经常和「麻辣牛肉干」一起购买",
        "Often bought with Spicy beef jerky",
        allergens=[],
    ),
    _item(
        "p3",
        "product",
        "snacks",
        "花生米",
        "Roasted peanuts",
        "Yum",
        None,
        12,
        "和「麻辣牛肉干」相似",
        "Similar to Spicy beef jerky",
        allergens=["peanut"],
    ),
    _item(
        "n1",
        "finance",
        "deposit",
        "一年期定期存款",
        "One-year term deposit",
        "Bank",
        None,
        1000,
        "保本，适合稳健型",
        "Capital preserved",
        risk_level=1,
        horizon_months=12,
    ),
    _item(
        "n2",
        "finance",
        "bond_fund",
        "纯债基金",
        "Bond fund",
        "Fund Co",
        None,
        1,
        "波动小",
        "Low volatility",
        risk_level=2,
        horizon_months=12,
    ),
    _item(
        "n3",
        "finance",
        "equity_fund",
        "股票基金",
        "Equity fund",
        "Fund Co",
        None,
        1,
        "长期增长",
        "Long-term growth",
        risk_level=4,
        horizon_months=36,
    ),
]


# "Often bought together" (mode similar): anchor -> items a co-purchase rule links to it;
# the other items of the anchor's vertical come back as content-similar.
BOUGHT_WITH = {"p1": ("p2",), "d1": ("d2",)}


def card(
    item: Dict[str, Any], language: str, currency: str = "CNY", with_reason: bool = True
) -> Dict[str, Any]:
    """An ItemCard as in docs/contracts.md, with its title and reason in both languages."""
    display = item["price"] if currency == "CNY" else round(item["price"] / USD_CNY, 2)
    return {
        "id": item["id"],
        "vertical": item["vertical"],
        "category": item["category"],
        "title": item["titles"].get(language, item["titles"]["zh"]),
        "titles": dict(item["titles"]),
        "brand": item["brand"],
        "colour": item["colour"],
        "price": item["price"],
        "currency": "CNY",
        "display_price": display,
        "display_currency": currency,
        "image_url": f"/static/img/{item['id']}.svg",
        "reason": item["reasons"].get(language, item["reasons"]["zh"]) if with_reason else None,
        "reasons": dict(item["reasons"]) if with_reason else {},
        "reason_code": "content" if with_reason else None,
        "attributes": dict(item["attributes"]),
    }


def cards(vertical: str, language: str = "zh", currency: str = "CNY", exclude=()) -> List[Dict[str, Any]]:
    """Cards of one vertical in catalog order."""
    return [
        card(i, language, currency) for i in CATALOG if i["vertical"] == vertical and i["id"] not in exclude
    ]


class FakeRecommender:
    """State of the fake server, shared with its request handler."""

    def __init__(self, slow_seconds: float = 3.0) -> None:
        self.mode = "ok"
        self.slow_seconds = slow_seconds
        self.requests: List[Dict[str, Any]] = []
        self.fallback_flag = False
        self.only_rules = False  # mode similar: answer only the items a co-purchase rule links
        self._counter = 0
        self._lock = threading.Lock()
        self.grants: Dict[str, str] = {}  # shopper -> code of the accepted offer not redeemed yet
        self.sold_out: set = set()  # item ids an order gets 409 for, as the recommender answers

    def calls(self, method: str, path_prefix: str) -> List[Dict[str, Any]]:
        """Recorded requests with this method whose path starts with ``path_prefix``."""
        return [r for r in self.requests if r["method"] == method and r["path"].startswith(path_prefix)]

    def body(self, method: str, path_prefix: str) -> Dict[str, Any]:
        """The JSON body of the only matching request."""
        matching = self.calls(method, path_prefix)
        assert len(matching) == 1, f"{len(matching)} calls to {method} {path_prefix}"
        return matching[0]["body"]

    def _order(self, body: Dict[str, Any]) -> Dict[str, Any]:
        """An OrderOut; an accepted SAVE20 (20 off from 200) is redeemed by the shopper's next order
        that reaches 200, as the recommender does with the grants of accepted offers."""
        prices = {i["id"]: i["price"] for i in CATALOG}
        lines = [
            {"item_id": line["item_id"], "quantity": line.get("quantity", 1), "unit_price": prices[line["item_id"]]}
            for line in body["items"]
        ]
        total = float(sum(line["unit_price"] * line["quantity"] for line in lines))
        code = self.grants.get(body["shopper_id"])
        discount = SAVE20_OFF if code and total >= SAVE20_MIN_SPEND else 0.0
        if discount:
            del self.grants[body["shopper_id"]]
        return {
            "order_id": f"o_{self._next()}",
            "shopper_id": body["shopper_id"],
            "items": lines,
            "total": total,
            "currency": "CNY",
            "recommendation_id": body.get("recommendation_id"),
            "ordered_at": "2026-11-26T12:00:00Z",
            "discount": discount,
            "offer_code": code if discount else None,
            "payable": total - discount,
        }

    def _next(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def handle(
        self, method: str, path: str, query: Dict[str, str], body: Any, headers: Dict[str, str]
    ) -> Tuple[int, Any]:
        self.requests.append(
            {"method": method, "path": path, "query": query, "body": body, "headers": headers}
        )
        if self.mode == "slow":
            time.sleep(self.slow_seconds)
        if self.mode == "error":
            return 500, {"detail": "internal error"}
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {"detail": "missing or wrong token"}
        if method == "POST" and path == "/api/v1/recommendations":
            filters = body.get("filters") or {}
            items = cards(
                body["vertical"],
                body["language"],
                filters.get("currency") or "CNY",
                exclude=set(filters.get("exclude_item_ids") or []),
            )
            if body.get("mode") in ("outfit", "similar"):
                items = [i for i in items if i["id"] != body.get("anchor_item_id")]
            if body.get("mode") == "similar":
                linked = BOUGHT_WITH.get(body.get("anchor_item_id"), ())
                items = [{**i, "reason_code": "rule" if i["id"] in linked else "content"} for i in items]
                if self.only_rules:
                    items = [i for i in items if i["reason_code"] == "rule"]
            return 200, {
                "recommendation_id": f"r_{self._next()}",
                "algorithm": "hybrid",
                "variant": "A",
                "items": items[: body.get("k") or 5],
                "fallback": self.fallback_flag,
            }
        if method == "GET" and path.startswith("/api/v1/items/"):
            found = [i for i in CATALOG if i["id"] == unquote(path.split("/")[4])]
            if not found:
                return 404, {"detail": "unknown item"}
            return 200, {
                **card(
                    found[0], query.get("language", "zh"), query.get("currency", "CNY"), with_reason=False
                ),
                "description": "",
            }
        if method == "GET" and path == "/api/v1/popular":
            items = cards(query.get("vertical", ""), query.get("language", "zh"))
            return 200, {"items": items[: int(query.get("k", 10))]}
        if method == "POST" and path == "/api/v1/interactions":
            return 201, {"id": self._next(), "used_for_personalisation": True}
        if method == "POST" and path == "/api/v1/orders":
            short = [line["item_id"] for line in body["items"] if line["item_id"] in self.sold_out]
            if short:
                return 409, {"detail": f"item '{short[0]}' is sold out"}
            return 201, self._order(body)
        if method == "POST" and path == "/api/v1/handoffs":
            return 201, {"id": self._next(), "status": "open", **body}
        if method == "GET" and path == "/api/v1/offers":
            return 200, {"segment": "new", "offers": [{"code": "SAVE20", "title": "满200减20"}]}
        if method == "POST" and path.startswith("/api/v1/offers/") and path.endswith("/response"):
            code = unquote(path.split("/")[4])
            if code != "SAVE20":
                return 404, {"detail": f"offer '{code}' was not shown to shopper '{body['shopper_id']}'"}
            granted = bool(body["accepted"]) and body["shopper_id"] not in self.grants  # one open grant
            if granted:
                self.grants[body["shopper_id"]] = code
            return 201, {
                "offer_code": code,
                "segment": "new",
                "event": "accepted" if body["accepted"] else "declined",
                "accepted": 1,
                "declined": 0,
                "granted": granted,
            }
        if path.startswith("/api/v1/shoppers/"):
            parts = path.split("/")
            shopper = unquote(parts[4])
            if method == "PUT" and len(parts) == 5:
                return 200, {"id": shopper, **body}
            if method == "POST" and parts[5:] == ["risk-profile"]:
                score = sum({"a": 1, "b": 2, "c": 3}[v] for v in body["answers"].values())
                level = min(score - 1, body.get("stated_ceiling") or 5)
                return 200, {
                    "risk_level": level,
                    "label": f"R{level}",
                    "explanation": {"zh": "根据你的回答。", "en": "Based on your answers."}[
                        body.get("language", "zh")
                    ],
                }
        return 404, {"detail": "not found"}


def make_handler(fake: FakeRecommender):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, payload = fake.handle(method, url.path, query, body, headers)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._serve("PUT")

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


class ServerThread:
    """Runs the fake on a free loopback port."""

    def __init__(self, fake: FakeRecommender) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "ServerThread":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
