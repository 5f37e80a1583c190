"""Import a shop's catalog and order history from CSV or JSON.

``python -m recommender import items FILE`` / ``import orders FILE`` take ``.csv``
(UTF-8, header row; multi-valued columns ``|``-separated) or ``.json`` (a list of
objects with the same keys; multi-valued fields as lists). One transaction per file:
if any row is bad nothing is written and every bad row is reported as
``FILE:LINE: reason`` (CSV: line number, the header being line 1; JSON: the row's
0-based index in the list). Rows are upserted by id, so re-importing is idempotent.

Updating a stored row writes only the fields whose column the file has (the CSV header,
or the keys of that JSON object): a file without, say, ``allergens``, ``stock`` or
``active`` leaves those stored values as they are. A column that is present but empty
(``""`` or JSON ``null``) still means "clear / the default", e.g. an empty ``group_id``
takes an item out of its group. New rows get the defaults below for every absent column.
Every row is validated as a whole row either way (``price`` and the other required
columns are required on updates too). ``slot`` is derived from the category only for a
new row, or on an update that changes the category; otherwise an absent ``slot`` keeps
the stored one.

Values must fit the database: whole numbers (``stock``, ``horizon_months``, ...) are
32-bit, prices and amounts are below 10,000,000,000, timestamps must stay within years
1..9999 once converted to UTC, and text may not hold NUL or other control characters
(descriptions may hold tabs and line breaks). Should the database still refuse a file,
the import fails with one ``FILE: ...`` reason and writes nothing.

Item columns
    ``id`` (required, unique; letters, digits, ``_ . -``, ≤ 64), ``vertical``
    (product|fashion|dish|finance), ``category`` (canonical, vocabulary.yml, of that
    vertical), ``title_zh``, ``title_en`` (at least one), ``description_zh``,
    ``description_en``, ``brand``, ``colour`` (canonical), ``sizes`` (list),
    ``price`` (≥ 0, required), ``currency`` (CNY|USD, default CNY), ``stock``
    (int ≥ 0, default 0), ``tags`` (list), ``tastes``, ``dietary``, ``allergens``,
    ``occasions`` (lists of canonical values), ``slot`` (fashion:
    top|bottom|one_piece|outerwear|shoes|accessory; default the category's),
    ``risk_level`` (finance, required, 1..5), ``horizon_months`` (int ≥ 0),
    ``image_url`` (``/path`` or http(s) URL; default the generated SVG), ``group_id``
    (optional, as ``id``: variants of one product, such as its pack sizes or colours, share
    it, like Google Merchant Center's ``item_group_id``; a list shows one item per group).

Order columns (one row per order line, keyed by ``order_id`` + ``item_id``)
    ``order_id`` (required), ``shopper_id`` (required; created if unknown, with the
    default consent), ``item_id`` (must exist), ``quantity`` (int ≥ 1, default 1),
    ``price`` (unit price, default the item's), ``ordered_at`` (ISO 8601, required;
    without a zone it is UTC). Each line also records a ``purchase`` interaction. A row
    without a price (absent or empty) for a line already stored keeps that line's unit
    price: only a new line takes the item's current price, so re-importing a file after a
    price change does not rewrite past revenue.

Offer columns (``import offers FILE``: the promotions the offer policy chooses from)
    ``code`` (required, unique; as ``id``), ``segment`` (a segment code: new, promising,
    regular, loyal_high_spender, at_risk, hibernating, or ``all`` for everyone; default
    ``all``), ``discount_type`` (percent|amount), ``discount_value`` (> 0; percent ≤ 100),
    ``min_spend`` (≥ 0, default 0), ``title_zh``, ``title_en`` (at least one),
    ``description_zh``, ``description_en``, ``active`` (true|false, default true),
    ``valid_days`` (1..365: days an accepted offer stays redeemable; default 7). The margin
    cap still applies: an offer above a shopper's budget is never shown to them.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from recommender import constants as C
from recommender.clv.constants import SEGMENT_LABELS
from recommender.config import Settings
from recommender.storage import queries
from recommender.storage.models import Interaction, Item, Offer, Order, OrderLine, Shopper

ITEM_COLUMNS = (
    "id", "vertical", "category", "title_zh", "title_en", "description_zh", "description_en", "brand",
    "colour", "sizes", "price", "currency", "stock", "tags", "tastes", "dietary", "allergens", "occasions",
    "slot", "risk_level", "horizon_months", "image_url", "group_id",
)
ORDER_COLUMNS = ("order_id", "shopper_id", "item_id", "quantity", "price", "ordered_at")
OFFER_COLUMNS = (
    "code", "segment", "discount_type", "discount_value", "min_spend", "title_zh", "title_en",
    "description_zh", "description_en", "active", "valid_days",
)
OFFER_SEGMENTS = (*SEGMENT_LABELS, "all")
MAX_OFFER_DAYS = 365
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
LIST_COLUMNS = ("sizes", "tags", "tastes", "dietary", "allergens", "occasions")
VOCAB_SECTIONS = {"tastes": "taste", "dietary": "dietary", "allergens": "allergen", "occasions": "occasion"}
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TEXT_CONTROL = re.compile(r"[\x00-\x1f]")  # C0 control characters, NUL included
MULTILINE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # the same less tab, LF and CR
MULTILINE_COLUMNS = ("description_zh", "description_en")
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # an SQL INTEGER column (PostgreSQL: int4)
MAX_AMOUNT = 1e10  # prices and amounts: Numeric(12, 2) holds up to 9,999,999,999.99
LIST_SEPARATOR = "|"

Row = tuple[str, dict[str, Any]]


class ImportFailed(Exception):
    """A file was refused; ``errors`` holds one ``FILE:LINE: reason`` per bad row."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__(f"{len(errors)} bad row(s)")
        self.errors = list(errors)


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    rows: int
    created: int
    updated: int


@functools.lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """The canonical vocabulary (read once, on first use)."""
    with C.VOCABULARY_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def category_labels(category: str) -> tuple[str, str]:
    """(Chinese, English) display names of a canonical category."""
    entry = vocabulary().get("category", {}).get(category) or {}
    zh = (entry.get("zh") or [category])[0]
    en = (entry.get("en") or [category.replace("_", " ")])[0]
    return str(zh), str(en)


# -- reading -------------------------------------------------------------


def read_rows(path: Path, columns: Sequence[str]) -> list[Row]:
    """Rows of a CSV or JSON file with their ``FILE:LINE`` locations."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return _read_csv(path, columns)
        if suffix == ".json":
            return _read_json(path)
    except OSError as exc:
        raise ImportFailed([f"{path}: cannot read file ({exc.strerror or exc})"]) from exc
    except UnicodeDecodeError as exc:
        raise ImportFailed([f"{path}: not UTF-8 text"]) from exc
    except csv.Error as exc:
        raise ImportFailed([f"{path}: not a readable CSV file ({exc})"]) from exc
    raise ImportFailed([f"{path}: unsupported file type '{suffix}' (use .csv or .json)"])


def _read_csv(path: Path, columns: Sequence[str]) -> list[Row]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        unknown = [c for c in header if c not in columns]
        if not header:
            raise ImportFailed([f"{path}:1: empty file (a header row is required)"])
        if unknown:
            raise ImportFailed([f"{path}:1: unknown column(s) {', '.join(map(repr, unknown))}"])
        rows: list[Row] = []
        start = reader.line_num + 1
        for record in reader:
            if None in record:
                rows.append((f"{path}:{start}", {"__error__": "more fields than header columns"}))
            else:
                rows.append((f"{path}:{start}", {k: v for k, v in record.items() if k is not None}))
            start = reader.line_num + 1
        return rows


def _read_json(path: Path) -> list[Row]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ImportFailed([f"{path}:{exc.lineno}: invalid JSON ({exc.msg})"]) from exc
    if not isinstance(data, list):
        raise ImportFailed([f"{path}: expected a JSON list of objects"])
    return [
        (f"{path}:{index}", row if isinstance(row, dict) else {"__error__": "row is not an object"})
        for index, row in enumerate(data)
    ]


# -- field parsing (each raises ValueError with a reason) ----------------


def _clean(text: str, name: str, multiline: bool = False) -> str:
    """``text`` unless it holds control characters (or lone surrogates) a database refuses."""
    control = (MULTILINE_CONTROL if multiline else TEXT_CONTROL).search(text)
    if control:
        what = "NUL" if control.group() == "\x00" else f"control character {control.group()!r}"
        allowed = " (only tabs and line breaks are allowed)" if multiline else ""
        raise ValueError(f"{name} must not contain {what}{allowed}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} is not valid Unicode text (lone surrogate)") from None
    return text


def _text(value: Any, name: str, max_len: int | None = None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError(f"{name} must be text")
    text = _clean(str(value).strip(), name, multiline=name in MULTILINE_COLUMNS)
    if max_len is not None and len(text) > max_len:
        raise ValueError(f"{name} longer than {max_len} characters")
    return text


def _list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(LIST_SEPARATOR)
    elif isinstance(value, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        parts = [str(v) for v in value]
    else:
        raise ValueError(f"{name} must be a list of text values")
    return [_clean(p.strip(), name) for p in parts if p.strip()]


def _number(value: Any, name: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {str(value)[:40]!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number")
    return number


def _integer(value: Any, name: str) -> int | None:
    number = _number(value, name)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(f"{name} must be a whole number")
    if not INT_MIN <= number <= INT_MAX:
        raise ValueError(f"{name} {str(value).strip()[:40]} is out of range ({INT_MIN}..{INT_MAX})")
    return int(number)


def _amount(value: Any, name: str) -> float | None:
    """A price or amount: a number the Numeric(12, 2) columns hold once rounded to cents."""
    number = _number(value, name)
    if number is not None and abs(round(number, 2)) >= MAX_AMOUNT:
        raise ValueError(f"{name} {str(value).strip()[:40]} is too large (must be below {MAX_AMOUNT:.0f})")
    return number


def _identifier(value: Any, name: str) -> str:
    text = _text(value, name)
    if text is None:
        raise ValueError(f"{name} is required")
    if not ID_PATTERN.fullmatch(text):
        raise ValueError(f"{name} {text[:40]!r} must be 1-64 letters, digits, '_', '.' or '-'")
    return text


def _timestamp(value: Any, name: str) -> datetime:
    text = _text(value, name)
    if text is None:
        raise ValueError(f"{name} is required")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} {text[:40]!r} is not ISO 8601") from None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError(f"{name} {text[:40]!r} is out of range (years 1..9999 in UTC)") from None


def _boolean(value: Any, name: str) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    flag = BOOLEANS.get(str(value).strip().lower())
    if flag is None:
        raise ValueError(f"{name} must be true or false, got {str(value)[:40]!r}")
    return flag


def _checked(errors: list[str], func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except ValueError as exc:
        errors.append(str(exc))
        return None


# -- items ---------------------------------------------------------------


def parse_item(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate one item row and return model fields; raises ValueError listing every problem."""
    if "__error__" in raw:
        raise ValueError(raw["__error__"])
    errors: list[str] = []
    unknown = sorted(set(raw) - set(ITEM_COLUMNS))
    if unknown:
        errors.append(f"unknown field(s) {', '.join(unknown)}")
    vocab = vocabulary()
    out: dict[str, Any] = {"id": _checked(errors, _identifier, raw.get("id"), "id")}
    vertical = _text(raw.get("vertical"), "vertical")
    if vertical not in C.VERTICALS:
        errors.append(f"vertical must be one of {', '.join(C.VERTICALS)}")
    category = _text(raw.get("category"), "category")
    entry = vocab["category"].get(category or "")
    if entry is None:
        errors.append(f"unknown category {category!r}")
    elif vertical in C.VERTICALS and entry.get("vertical") != vertical:
        errors.append(f"category {category!r} belongs to vertical {entry.get('vertical')!r}")
    out.update(vertical=vertical, category=category)
    for name in ("title_zh", "title_en", "description_zh", "description_en"):
        out[name] = _checked(errors, _text, raw.get(name), name, C.MAX_TEXT_CHARS) or ""
    if not (out["title_zh"] or out["title_en"]) and not any(e.startswith("title_") for e in errors):
        errors.append("title_zh or title_en is required")
    out["brand"] = _checked(errors, _text, raw.get("brand"), "brand", 64)
    out["colour"] = _checked(errors, _text, raw.get("colour"), "colour", 32)
    if out["colour"] and out["colour"] not in vocab["colour"]:
        errors.append(f"unknown colour {out['colour']!r}")
    for name in LIST_COLUMNS:
        values = _checked(errors, _list, raw.get(name), name) or []
        section = VOCAB_SECTIONS.get(name)
        bad = [v for v in values if section and v not in vocab.get(section, {})]
        if bad:
            errors.append(f"unknown {name} value(s) {', '.join(map(repr, bad))}")
        out[name] = list(dict.fromkeys(values))
    price = _checked(errors, _amount, raw.get("price"), "price")
    if price is None and "price is required" not in errors and not any(e.startswith("price") for e in errors):
        errors.append("price is required")
    elif price is not None and price < 0:
        errors.append("price must be ≥ 0")
    out["price"] = price
    out["currency"] = (_checked(errors, _text, raw.get("currency"), "currency") or C.BASE_CURRENCY).upper()
    if out["currency"] not in C.CURRENCIES:
        errors.append(f"currency must be one of {', '.join(C.CURRENCIES)}")
    stock = _checked(errors, _integer, raw.get("stock"), "stock")
    if stock is not None and stock < 0:
        errors.append("stock must be ≥ 0")
    out["stock"] = stock or 0
    slot = _checked(errors, _text, raw.get("slot"), "slot")
    if slot is None and vertical == "fashion" and entry:
        slot = entry.get("slot")
    if slot is not None and slot not in C.SLOTS:
        errors.append(f"slot must be one of {', '.join(C.SLOTS)}")
    out["slot"] = slot
    risk = _checked(errors, _integer, raw.get("risk_level"), "risk_level")
    if risk is not None and risk not in C.RISK_LEVELS:
        errors.append("risk_level must be 1..5")
    if risk is None and vertical == "finance" and not any(e.startswith("risk_level") for e in errors):
        errors.append("risk_level is required for finance items")
    out["risk_level"] = risk
    horizon = _checked(errors, _integer, raw.get("horizon_months"), "horizon_months")
    if horizon is not None and horizon < 0:
        errors.append("horizon_months must be ≥ 0")
    out["horizon_months"] = horizon
    image = _checked(errors, _text, raw.get("image_url"), "image_url", 2000)
    if image and not (re.match(r"https?://", image) or (image.startswith("/") and not image.startswith("//"))):
        errors.append("image_url must be an http(s) URL or a path starting with '/'")
    out["image_url"] = image
    group = _checked(errors, _text, raw.get("group_id"), "group_id")
    if group is not None:
        group = _checked(errors, _identifier, group, "group_id")
    out["group_id"] = group
    if errors:
        raise ValueError("; ".join(errors))
    return out


def _upsert_rows(
    session: Session, rows: Sequence[Row], parse: Any, key: str, model: Any, existing: Any,
    derived: dict[str, str] | None = None,
) -> ImportResult:
    """Validate every row with ``parse`` (no duplicate ``key``), then insert or update ``model`` rows.

    ``existing(keys)`` gives the stored rows by key. Any bad row: ImportFailed, nothing written.
    A new row takes every parsed field (absent columns: their defaults); a stored row is
    updated only in the fields whose column the row has. ``derived`` maps a field that
    ``parse`` fills in from another one (``slot`` from ``category``) to its source: when the
    derived column is absent, an update writes it only if the source value changes.
    """
    errors: list[str] = []
    parsed: list[tuple[dict[str, Any], set[str]]] = []
    seen: dict[str, str] = {}
    for location, raw in rows:
        try:
            fields = parse(raw)
        except ValueError as exc:
            errors.append(f"{location}: {exc}")
            continue
        if fields[key] in seen:
            errors.append(f"{location}: duplicate {key} {fields[key]!r} (first at {seen[fields[key]]})")
            continue
        seen[fields[key]] = location
        parsed.append((fields, set(raw)))
    if errors:
        raise ImportFailed(errors)
    stored = existing(list(seen))
    for fields, present in parsed:
        row = stored.get(fields[key])
        if row is None:
            session.add(model(**fields))
            continue
        changed = {name for name in present & set(fields) if fields[name] != getattr(row, name)}
        for name, value in fields.items():
            if name in present or (derived or {}).get(name) in changed:
                setattr(row, name, value)
    session.flush()
    return ImportResult(rows=len(parsed), created=len(parsed) - len(stored), updated=len(stored))


def import_item_rows(session: Session, rows: Sequence[Row]) -> ImportResult:
    """Validate every row, then upsert them all (caller owns the transaction)."""
    return _upsert_rows(
        session, rows, parse_item, "id", Item, lambda ids: queries.items_by_ids(session, ids), {"slot": "category"}
    )


# -- orders --------------------------------------------------------------


def parse_order(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate one order-line row; raises ValueError listing every problem."""
    if "__error__" in raw:
        raise ValueError(raw["__error__"])
    errors: list[str] = []
    unknown = sorted(set(raw) - set(ORDER_COLUMNS))
    if unknown:
        errors.append(f"unknown field(s) {', '.join(unknown)}")
    out: dict[str, Any] = {
        "order_id": _checked(errors, _identifier, raw.get("order_id"), "order_id"),
        "item_id": _checked(errors, _identifier, raw.get("item_id"), "item_id"),
    }
    shopper = _checked(errors, _text, raw.get("shopper_id"), "shopper_id", C.MAX_ID_CHARS)
    if shopper is None and not any(e.startswith("shopper_id") for e in errors):
        errors.append("shopper_id is required")
    elif shopper is not None and CONTROL.search(shopper):
        errors.append("shopper_id must not contain control characters")
    out["shopper_id"] = shopper
    quantity = _checked(errors, _integer, raw.get("quantity"), "quantity")
    if quantity is not None and not 1 <= quantity <= C.MAX_QUANTITY:
        errors.append(f"quantity must be 1..{C.MAX_QUANTITY}")
    out["quantity"] = quantity or 1
    price = _checked(errors, _amount, raw.get("price"), "price")
    if price is not None and price < 0:
        errors.append("price must be ≥ 0")
    out["price"] = price
    out["ordered_at"] = _checked(errors, _timestamp, raw.get("ordered_at"), "ordered_at")
    if errors:
        raise ValueError("; ".join(errors))
    return out


def import_order_rows(session: Session, rows: Sequence[Row], settings: Settings) -> ImportResult:
    """Validate every row (items must exist), then upsert orders, lines and purchases."""
    errors: list[str] = []
    parsed: list[dict[str, Any]] = []
    for location, raw in rows:
        try:
            parsed.append({**parse_order(raw), "location": location})
        except ValueError as exc:
            errors.append(f"{location}: {exc}")
    items = queries.items_by_ids(session, [row["item_id"] for row in parsed])
    orders = _existing_orders(session, {row["order_id"] for row in parsed})
    owners: dict[str, str] = {oid: order.shopper_id for oid, order in orders.items()}
    seen: dict[tuple[str, str], str] = {}
    for row in parsed:
        location, key = row["location"], (row["order_id"], row["item_id"])
        if row["item_id"] not in items:
            errors.append(f"{location}: unknown item_id {row['item_id']!r}")
        if key in seen:
            errors.append(f"{location}: duplicate line for order {key[0]!r} item {key[1]!r} (first at {seen[key]})")
        seen.setdefault(key, location)
        owner = owners.setdefault(row["order_id"], row["shopper_id"])
        if owner != row["shopper_id"]:
            errors.append(f"{location}: order {row['order_id']!r} belongs to shopper {owner!r}")
    if errors:
        raise ImportFailed(errors)
    return _upsert_orders(session, parsed, items, orders, settings)


def _existing_orders(session: Session, order_ids: set[str]) -> dict[str, Order]:
    found: dict[str, Order] = {}
    ids = sorted(order_ids)
    for start in range(0, len(ids), 500):
        for order in session.scalars(select(Order).where(Order.id.in_(ids[start : start + 500]))):
            found[order.id] = order
    return found


def _upsert_orders(
    session: Session, rows: list[dict[str, Any]], items: dict[str, Item], orders: dict[str, Order], settings: Settings
) -> ImportResult:
    shoppers: dict[str, Shopper] = {}
    purchases: dict[tuple[str, str], Interaction] = {}
    ids = sorted({row["order_id"] for row in rows})
    for start in range(0, len(ids), 500):
        query = select(Interaction).where(Interaction.order_id.in_(ids[start : start + 500]), Interaction.type == "purchase")
        for interaction in session.scalars(query):
            purchases[(interaction.order_id or "", interaction.item_id)] = interaction
    created = updated = 0
    touched: dict[str, str] = {}  # order id -> the location of its first row in the file
    errors: list[str] = []
    for row in rows:
        item = items[row["item_id"]]
        order = orders.get(row["order_id"])
        line = None if order is None else next((ln for ln in order.lines if ln.item_id == item.id), None)
        if row["price"] is not None:
            unit_price = row["price"]
        elif line is not None:  # a stored line keeps its price: the catalog's may have changed since
            unit_price = float(line.unit_price)
        else:
            unit_price = settings.to_cny(float(item.price), item.currency)
        if round(unit_price, 2) >= MAX_AMOUNT:  # checked before anything is added: no autoflush sends it
            errors.append(f"{row['location']}: the item's price, {unit_price:.2f} CNY, is too large for an order "
                          f"line (must be below {MAX_AMOUNT:.0f})")
            continue
        shopper = shoppers.get(row["shopper_id"]) or queries.get_or_create_shopper(
            session, row["shopper_id"], default_consent=settings.default_consent, channel=C.IMPORT_SOURCE
        )
        shoppers[shopper.id] = shopper
        if order is None:
            order = Order(id=row["order_id"], shopper_id=shopper.id, ordered_at=row["ordered_at"],
                          currency=C.BASE_CURRENCY, source=C.IMPORT_SOURCE, total=0.0)
            session.add(order)
            orders[order.id] = order
        elif order.id not in touched:
            order.ordered_at = row["ordered_at"]
        touched.setdefault(order.id, row["location"])
        order.ordered_at = min(_aware(order.ordered_at), row["ordered_at"])
        if line is None:
            order.lines.append(OrderLine(item_id=item.id, quantity=row["quantity"], unit_price=unit_price))
            created += 1
        else:
            line.quantity, line.unit_price = row["quantity"], unit_price
            updated += 1
        purchase = purchases.get((order.id, item.id))
        if purchase is None:
            purchases[(order.id, item.id)] = queries.add_interaction(
                session, shopper=shopper, item_id=item.id, type_="purchase", value=float(row["quantity"]),
                source=C.IMPORT_SOURCE, order_id=order.id, created_at=row["ordered_at"],
            )
        else:
            purchase.value, purchase.created_at = float(row["quantity"]), row["ordered_at"]
    for order_id, location in touched.items():
        order = orders[order_id]
        order.total = round(sum(float(ln.unit_price) * ln.quantity for ln in order.lines), 2)
        if order.total >= MAX_AMOUNT:
            errors.append(f"{location}: order {order_id!r} would total {order.total:.2f}, "
                          f"too large (must be below {MAX_AMOUNT:.0f})")
    if errors:  # the caller's transaction rolls back what was added above
        raise ImportFailed(errors)
    session.flush()
    return ImportResult(rows=len(rows), created=created, updated=updated)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# -- offers --------------------------------------------------------------


def parse_offer(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate one offer row and return model fields; raises ValueError listing every problem."""
    if "__error__" in raw:
        raise ValueError(raw["__error__"])
    errors: list[str] = []
    unknown = sorted(set(raw) - set(OFFER_COLUMNS))
    if unknown:
        errors.append(f"unknown field(s) {', '.join(unknown)}")
    out: dict[str, Any] = {"code": _checked(errors, _identifier, raw.get("code"), "code")}
    segment = _checked(errors, _text, raw.get("segment"), "segment", 32) or "all"
    if segment not in OFFER_SEGMENTS:
        errors.append(f"segment must be one of {', '.join(OFFER_SEGMENTS)}, got {segment[:40]!r}")
    out["segment"] = segment
    kind = _checked(errors, _text, raw.get("discount_type"), "discount_type")
    if kind not in C.DISCOUNT_TYPES:
        errors.append(f"discount_type must be one of {', '.join(C.DISCOUNT_TYPES)}")
    out["discount_type"] = kind
    value = _checked(errors, _amount, raw.get("discount_value"), "discount_value")
    if value is None and not any(e.startswith("discount_value") for e in errors):
        errors.append("discount_value is required")
    elif value is not None and value <= 0:
        errors.append("discount_value must be > 0")
    elif value is not None and kind == "percent" and value > 100:
        errors.append("a percent discount_value must be at most 100")
    out["discount_value"] = value
    spend = _checked(errors, _amount, raw.get("min_spend"), "min_spend")
    if spend is not None and spend < 0:
        errors.append("min_spend must be ≥ 0")
    out["min_spend"] = spend or 0.0
    for name in ("title_zh", "title_en", "description_zh", "description_en"):
        out[name] = _checked(errors, _text, raw.get(name), name, C.MAX_TEXT_CHARS) or ""
    if not (out["title_zh"] or out["title_en"]) and not any(e.startswith("title_") for e in errors):
        errors.append("title_zh or title_en is required")
    active = _checked(errors, _boolean, raw.get("active"), "active")
    out["active"] = True if active is None else active
    days = _checked(errors, _integer, raw.get("valid_days"), "valid_days")
    if days is not None and not 1 <= days <= MAX_OFFER_DAYS:
        errors.append(f"valid_days must be 1..{MAX_OFFER_DAYS}")
    out["valid_days"] = days
    if errors:
        raise ValueError("; ".join(errors))
    return out


def import_offer_rows(session: Session, rows: Sequence[Row]) -> ImportResult:
    """Validate every row, then upsert the offers by code (caller owns the transaction).

    Offers not in the file are left as they are: to withdraw one, import it with
    ``active`` false (its past showings and grants keep pointing at it).
    """
    def stored(codes: list[str]) -> dict[str, Offer]:
        return {offer.code: offer for offer in session.scalars(select(Offer).where(Offer.code.in_(codes)))}

    return _upsert_rows(session, rows, parse_offer, "code", Offer, stored)


# -- files ---------------------------------------------------------------


def import_file(sessions: sessionmaker[Session], kind: str, path: Path, settings: Settings) -> ImportResult:
    """Import one ``items``, ``orders`` or ``offers`` file in one transaction; raises ImportFailed."""
    columns = {"items": ITEM_COLUMNS, "orders": ORDER_COLUMNS, "offers": OFFER_COLUMNS}
    if kind not in columns:
        raise ValueError(f"unknown import kind {kind!r}")
    rows = read_rows(path, columns[kind])
    try:
        with sessions.begin() as session:
            if kind == "items":
                return import_item_rows(session, rows)
            if kind == "offers":
                return import_offer_rows(session, rows)
            return import_order_rows(session, rows, settings)
    except (SQLAlchemyError, OverflowError) as exc:
        # A backstop: validation should catch every value a column cannot hold. The
        # transaction was rolled back as the exception left ``sessions.begin()``.
        raise ImportFailed([f"{path}: the database refused the file, nothing imported ({database_reason(exc)})"]) from exc


def database_reason(exc: BaseException) -> str:
    """The first line of a database error's own message (no SQL, no parameters)."""
    reason = getattr(exc, "orig", None) or exc
    lines = str(reason).strip().splitlines()
    return f"{type(reason).__name__}: {lines[0][:300]}" if lines else type(reason).__name__
