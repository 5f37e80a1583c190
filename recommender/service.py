"""Glue between the API, the storage and the ranking engine.

``RankingService`` keeps one fitted ``recommender.engine.Engine`` in memory. It is
fitted at startup and refitted by a background thread when the data it was fitted
on changed; the new engine replaces the old one in a single reference assignment,
so a request always sees one complete engine.

Consent: a shopper who has not consented is ranked anonymously (``shopper_id=None``)
and none of their interactions reach the engine. Allergens and the risk ceiling of
the shopper's profile are applied to every request: they are safety limits.

Online learning: likes, dislikes, clicks, carts and purchases of a consenting shopper are
read from the interactions table on every search/recommend request (their dislikes of all
time, the rest within the session window) and passed to the engine, so they count before
the refit and whichever worker process answers.

Experiments: the shopper's variant (``recommender.experiments``) picks the re-ranking
knobs; it is logged with the list and returned in the response.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine as DbEngine
from sqlalchemy import Row
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from recommender import constants as C
from recommender.api.errors import Conflict, InvalidRequest, NotFound, Unavailable
from recommender.api.schemas import RecommendationRequest
from recommender.config import Settings
from recommender.customers import CustomerValues
from recommender.experiments import assign_variant
from recommender.storage import frames, queries
from recommender.storage.db import lock_until_commit, readonly, refresh_statistics, session_factory
from recommender.storage.frames import as_utc
from recommender.storage.models import Item, Offer, Shopper, utcnow

logger = logging.getLogger(__name__)


SESSION_MODES = ("search", "recommend")  # modes in which session feedback re-scores the list


def item_card(
    item: Item | Row[Any],
    *,
    settings: Settings,
    language: str,
    currency: str = C.BASE_CURRENCY,
    reason: str | None = None,
    reason_code: str | None = None,
    reasons: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Render an item as an ItemCard dict in ``language`` with the price in ``currency``.

    ``titles`` and ``reasons`` hold each language known: the reason in every language of
    ``reasons`` (the engine's bilingual reason), else only ``reason`` in ``language``.
    """
    title = (item.title_en or item.title_zh) if language == "en" else (item.title_zh or item.title_en)
    titles = {lang: text for lang, text in (("zh", item.title_zh), ("en", item.title_en)) if text}
    known = reasons if reasons else ({language: reason} if reason else {})
    reasons_out = {lang: str(known[lang]) for lang in C.LANGUAGES if known.get(lang)}
    price = float(item.price)
    price_cny = settings.to_cny(price, item.currency)
    attributes: dict[str, Any] = {"stock": int(item.stock or 0)}
    for name in ("sizes", "tags", "tastes", "dietary", "allergens", "occasions"):
        values = getattr(item, name) or []
        if values:
            attributes[name] = list(values)
    for name in ("slot", "horizon_months", "group_id"):
        if getattr(item, name) is not None:
            attributes[name] = getattr(item, name)
    if item.risk_level is not None:
        attributes["risk_level"] = item.risk_level
        attributes["risk_label"] = C.risk_label(item.risk_level)
    return {
        "id": item.id,
        "vertical": item.vertical,
        "category": item.category,
        "title": title or item.id,
        "titles": titles,
        "brand": item.brand,
        "colour": item.colour,
        "price": price,
        "currency": item.currency,
        "display_price": settings.from_cny(price_cny, currency),
        "display_currency": currency,
        "image_url": item.image_url or f"/static/img/{item.id}.svg",
        "reason": reason,
        "reasons": reasons_out,
        "reason_code": reason_code,
        "attributes": attributes,
    }


def _profile_risk_level(profile: dict[str, Any]) -> int | None:
    """The assessed risk level (1-5) of a stored profile; None when there is none.

    The API validates profiles it stores, but rows written before that (or by hand) are read
    defensively, and a safety limit fails closed: a level that is present but unusable counts
    as the most cautious one (1), a level outside 1-5 is clamped, and both are logged.
    """
    if "risk_level" not in profile or profile.get("risk_level") is None:
        return None
    level = profile.get("risk_level")
    if isinstance(level, str) and level.strip().isdigit():
        level = int(level.strip())
    if isinstance(level, bool) or not isinstance(level, int):
        logger.warning("unusable stored risk_level %r: using the most cautious level 1", level)
        return 1
    if not 1 <= level <= 5:
        logger.warning("stored risk_level %r outside 1-5: clamped", level)
    return min(max(level, 1), 5)


def _profile_allergens(profile: dict[str, Any]) -> set[str]:
    """The allergens of a stored profile (a list of names, or one name given as a string), canonical.

    The API stores canonical values, but a profile written before it mapped names (or by
    hand) may hold a surface form such as "peanuts" or "花生": it is mapped to its canonical
    value here, on every request. A name the vocabulary does not know is kept as it is (it
    still excludes an item tagged with exactly that name) and logged.
    """
    from recommender.engine.vocabulary import canonical_value

    value = profile.get("allergens")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        if value:
            logger.warning("unusable stored allergens %r: ignored", value)
        return set()
    allergens: set[str] = set()
    for name in (a.strip() for a in value if isinstance(a, str) and a.strip()):
        canonical = canonical_value("allergen", name)
        if canonical is None:
            logger.warning("unknown stored allergen %r: matched only by its exact name", name)
        allergens.add(canonical or name.lower())
    return allergens


#: Events that take back an earlier dislike of the same item (a later like, cart or purchase).
UNDISLIKE_KINDS = frozenset(queries.UNDISLIKE_TYPES)


def _still_disliked(events: list[Any]) -> list[str]:
    """Items whose latest explicit signal among ``events`` (newest first) is a dislike.

    A dislike excludes the item from every later list, also for a shopper who has not
    consented to personalisation (it is an instruction, not a profile), until the shopper
    likes, carts or buys that item: the latest word wins.
    """
    verdict: dict[str, bool] = {}
    for _, item, kind, _ in events:
        if item not in verdict and (kind == "dislike" or kind in UNDISLIKE_KINDS):
            verdict[item] = kind == "dislike"
    return [item for item, disliked in verdict.items() if disliked]


def grant_days(valid_days: int | None) -> int:
    """Days an accepted offer stays redeemable: the offer's own, else the default.

    The importer refuses a ``valid_days`` outside 1..365; a row written around it that holds
    0 or less would expire the grant as it is made, so it gets the default too.
    """
    return valid_days if valid_days is not None and valid_days > 0 else C.OFFER_GRANT_DAYS


@dataclass(frozen=True)
class Snapshot:
    """A fitted engine and what it was fitted on."""

    engine: Any | None
    customers: CustomerValues = field(default_factory=CustomerValues)
    version: tuple[Any, ...] = ()
    fitted_at: float = 0.0
    fit_seconds: float = 0.0
    n_items: int = 0
    n_interactions: int = 0
    blend: Any | None = None  # engine.tuning.BlendFit behind the engine's blend weights, if tuned

    @property
    def segments(self) -> dict[str, str]:
        """Shopper id → segment code (RFM + K-means, or RFM quintiles on little data)."""
        return self.customers.segments


def settle_heap() -> None:
    """Keep Python's cyclic garbage collector off the long-lived model objects.

    A fitted engine is about a million tracked objects at 100,000 items; a full collection
    then stops every request for ~300 ms, and the per-request garbage of HTTP handling
    triggers one every few thousand requests (measured: HTTP p99 246 ms at 100k items).
    After a fit: collect once (this also frees the previous engine's cycles), then freeze
    what is left into the permanent generation, which later collections skip.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


#: How often each worker looks for a staff refit request stored through another worker.
REFIT_POLL_SECONDS = 2.0


class RankingService:
    """Owns the in-memory engine and answers ranking questions."""

    def __init__(self, settings: Settings, db_engine: DbEngine) -> None:
        self.settings = settings
        self.sessions: sessionmaker[Session] = session_factory(db_engine)
        self._db = db_engine
        self._analyzed_rows = -1  # interaction count at the last planner-statistics refresh
        self.reads: sessionmaker[Session] = session_factory(readonly(db_engine))
        self._snapshot: Snapshot | None = None
        self._fit_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._blend: Any | None = None  # the last engine.tuning.BlendFit
        self._tuned_at = 0.0
        self._refit_thread: threading.Thread | None = None  # an on-demand refit (POST /api/v1/admin/refit)
        self._refit_start = threading.Lock()  # guards _refit_thread only (never held during a fit)
        self._refit_request_seen = 0  # id of the last stored refit request acted on (refit_requests)

    # -- engine lifecycle -------------------------------------------------

    def start(self) -> None:
        """Fit once now (errors are logged, not raised) and start the refit thread."""
        try:
            self._refit_request_seen = self._latest_refit_request()  # this fit covers older requests
        except SQLAlchemyError:
            logger.warning("could not read refit_requests (is the database migrated?)", exc_info=True)
        try:
            self.refit()
        except Exception:  # noqa: BLE001 - the API must come up even without a model
            logger.exception("initial fit failed; will retry in the background")
        if self._thread is None and self.settings.refit_seconds > 0:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="dxe-refit", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the refit thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        """Refit when the data changed (every DXE_REFIT_SECONDS), re-tune on schedule, and act
        on staff refit requests stored through any worker (polled every REFIT_POLL_SECONDS)."""
        every = self.settings.refit_seconds
        poll = min(every, REFIT_POLL_SECONDS)
        # The first fit (in start) uses the last known blend weights; tune right away in the background.
        due = time.monotonic() + (0.0 if self._tune_due() else every)
        while not self._stop.wait(max(0.0, min(poll, due - time.monotonic()))):
            try:
                if self._new_refit_request():
                    self.refit(tune=self.settings.tune_seconds > 0)
                    due = time.monotonic() + every
                elif time.monotonic() >= due:
                    due = time.monotonic() + every
                    if self._tune_due():
                        self.refit(tune=True)
                    else:
                        self.refit_if_changed()
            except Exception:  # noqa: BLE001 - keep serving the previous engine
                logger.exception("background refit failed; keeping the previous engine")

    def _latest_refit_request(self) -> int:
        """Id of the newest stored refit request (0: none)."""
        with self.reads.begin() as session:
            return queries.latest_refit_request(session)

    def _new_refit_request(self) -> bool:
        """Whether a refit request newer than the last one acted on was stored (then it is acted on)."""
        latest = self._latest_refit_request()
        if latest <= self._refit_request_seen:
            return False
        self._refit_request_seen = latest
        return True

    def _tune_due(self) -> bool:
        """Whether the blend weights should be fitted again (every DXE_TUNE_SECONDS; 0 never)."""
        every = self.settings.tune_seconds
        return every > 0 and (self._tuned_at == 0.0 or time.time() - self._tuned_at >= every)

    def refit_in_background(self) -> bool:
        """Start an on-demand refit with blend tuning; False if one is already running here.

        The request is also stored (``refit_requests``), so the other worker processes and
        replicas refit too, within ``REFIT_POLL_SECONDS``; this one does not act on it twice.
        """
        try:
            with self.sessions.begin() as session:
                request_id = queries.request_refit(session)
            self._refit_request_seen = max(self._refit_request_seen, request_id)
        except SQLAlchemyError:  # the other workers will follow the data at their next scheduled refit
            logger.warning("could not store the refit request; refitting this worker only", exc_info=True)
        with self._refit_start:
            running = self._refit_thread is not None and self._refit_thread.is_alive()
            if running:
                return False

            def run() -> None:
                try:
                    self.refit(tune=self.settings.tune_seconds > 0)
                except Exception:  # noqa: BLE001 - keep serving the previous engine
                    logger.exception("on-demand refit failed; keeping the previous engine")

            self._refit_thread = threading.Thread(target=run, name="dxe-refit-now", daemon=True)
            self._refit_thread.start()
            return True

    @property
    def refitting(self) -> bool:
        """An on-demand refit is running."""
        return self._refit_thread is not None and self._refit_thread.is_alive()

    def _version(self) -> tuple[Any, ...]:
        with self.reads.begin() as session:
            return queries.data_version(session)

    def refit_if_changed(self) -> bool:
        """Refit when the data changed since the last fit; True if it refitted."""
        current = self._snapshot
        if current is not None and current.version == self._version():
            return False
        self.refit()
        return True

    def refit(self, tune: bool = False) -> Snapshot:
        """Fit a new engine from the database and swap it in (requests keep the old one meanwhile).

        With ``tune`` the hybrid's blend weights are fitted first by leave-last-out validation
        (``engine.tuning``); otherwise the last fitted weights (or the defaults) are reused.
        """
        from recommender.engine import Engine  # lazy: the API runs without the engine

        with self._fit_lock:
            started = time.perf_counter()
            with self.reads.begin() as session:
                version = queries.data_version(session)
                items = frames.items_frame(session, self.settings)
                interactions = frames.interactions_frame(session)
                orders = frames.orders_frame(session)
            if (
                self._analyzed_rows < 0
                or abs(len(interactions) - self._analyzed_rows) > self._analyzed_rows // 2
            ):
                try:
                    refresh_statistics(self._db)  # the planner needs sizes to pick the shopper index
                    self._analyzed_rows = len(interactions)
                except SQLAlchemyError:
                    logger.warning("could not refresh the SQLite planner statistics", exc_info=True)
            # Segments first: the engine fits a popularity per segment (and the tuning weighs it).
            customers = self._customers(orders)
            if tune and len(items):
                from recommender.engine.tuning import fit_blend_weights

                self._blend = fit_blend_weights(
                    items, interactions, seed=C.ENGINE_SEED, segments=customers.segments
                )
                self._tuned_at = time.time()
                logger.info(
                    "blend weights %s (validation nDCG@10 %.4f vs %.4f hand-set, %d cases)",
                    self._blend.weights,
                    self._blend.ndcg,
                    self._blend.default_ndcg,
                    self._blend.cases,
                )
            blend = self._blend if self._blend is not None and self._blend.fitted else None
            engine = (
                Engine.fit(
                    items,
                    interactions,
                    seed=C.ENGINE_SEED,
                    blend_weights=blend.weights if blend else None,
                    segments=customers.segments,
                )
                if len(items)
                else None
            )
            snapshot = Snapshot(
                engine,
                customers,
                version,
                time.time(),
                time.perf_counter() - started,
                len(items),
                len(interactions),
                blend,
            )
            self._snapshot = snapshot
            del engine, items, interactions, orders
            settle_heap()
            logger.info("engine fitted: %d items, %d interactions", snapshot.n_items, snapshot.n_interactions)
            return snapshot

    def model_status(self) -> dict[str, Any]:
        """What the live engine was fitted on and with, for staff (GET /api/v1/admin/model)."""
        snapshot = self._snapshot
        out: dict[str, Any] = {
            "fitted": snapshot is not None and snapshot.engine is not None,
            "refitting": self.refitting,
        }
        if snapshot is None:
            return out
        weights = getattr(snapshot.engine, "blend_weights_", None)
        blend = snapshot.blend
        customers = snapshot.customers
        out.update(
            fitted_at=snapshot.fitted_at,
            fit_seconds=round(snapshot.fit_seconds, 3),
            items=snapshot.n_items,
            interactions=snapshot.n_interactions,
            blend_weights=weights,
            blend_tuned=blend is not None,
            blend_validation=None
            if blend is None
            else {
                "cases": blend.cases,
                "ndcg@10": round(blend.ndcg, 6),
                "default_ndcg@10": round(blend.default_ndcg, 6),
            },
            customer_values={
                "fitted": customers.fitted,
                "segmenter": customers.segmenter,
                "shoppers": len(customers.values),
            },
        )
        return out

    def _customers(self, orders: Any) -> CustomerValues:
        """CLV, P(alive) and segments of every shopper with orders.

        If the fit fails, the last good values stay (a transient failure must not drop every
        shopper to the new-customer value and segment until the next refit); with none yet,
        empty values (offers use the default customer value). Errors are logged.
        """
        from recommender.customers import fit_customer_values

        try:
            return fit_customer_values(orders, utcnow())
        except Exception:  # noqa: BLE001 - keep serving the previous values
            previous = self._snapshot.customers if self._snapshot is not None else None
            logger.exception(
                "customer value fit failed; %s",
                "keeping the previous values" if previous is not None else "offers use the default customer value",
            )
            return previous if previous is not None else CustomerValues()

    def snapshot(self) -> Snapshot:
        """The current engine, fitting one first if none exists yet."""
        current = self._snapshot
        if current is not None:
            return current
        try:
            return self.refit()
        except ImportError as exc:
            raise Unavailable("ranking engine unavailable") from exc

    # -- ranking ----------------------------------------------------------

    def recommend(self, request: RecommendationRequest) -> dict[str, Any]:
        """Rank, render cards, log the list and return a RecommendationResponse dict."""
        from recommender.engine import Filters

        wanted = request.filters
        now = time.time()
        with self.reads.begin() as session:
            shopper = queries.shopper_row(session, request.shopper_id) if request.shopper_id else None
            personalised = bool(shopper is not None and shopper.consent)
            if request.mode in C.ANCHORED_MODES and not request.anchor_item_id:
                raise InvalidRequest(f"anchor_item_id is required for mode '{request.mode}'")
            if request.anchor_item_id and not queries.item_exists(session, request.anchor_item_id):
                raise NotFound(f"unknown anchor_item_id '{request.anchor_item_id}'")
            events = self._feedback_events(session, shopper.id, now) if shopper else []
            disliked = _still_disliked(events)
            profile = dict(shopper.profile or {}) if shopper else {}
            assessed = _profile_risk_level(profile)
            too_risky: list[str] = []
            if assessed is not None and request.vertical != "finance":
                # The engine's risk_max keeps only rated items, so outside the finance
                # vertical the assessed ceiling excludes the finance items above it instead.
                too_risky = queries.items_above_risk(session, assessed)
        allergens = set(wanted.allergens) | _profile_allergens(profile)  # canonical values, both
        ceilings = [wanted.risk_max] if wanted.risk_max is not None else []
        if assessed is not None and request.vertical == "finance":
            ceilings.append(assessed)
        currency = wanted.currency
        filters = Filters(
            category=wanted.category,
            brand=wanted.brand,
            exclude_brands=tuple(wanted.exclude_brands),
            colour=wanted.colour,
            exclude_colours=tuple(wanted.exclude_colours),
            size=wanted.size,
            price_min=None if wanted.price_min is None else self.settings.to_cny(wanted.price_min, currency),
            price_max=None if wanted.price_max is None else self.settings.to_cny(wanted.price_max, currency),
            tastes=tuple(wanted.tastes),
            dietary=tuple(wanted.dietary),
            allergens=tuple(sorted(allergens)),
            occasion=wanted.occasion,
            goal=wanted.goal,
            horizon_months=wanted.horizon_months,
            risk_max=min(ceilings) if ceilings else None,
            exclude_item_ids=tuple(dict.fromkeys([*wanted.exclude_item_ids, *disliked, *too_risky])),
            vertical=request.vertical,
            in_stock_only=True,
        )
        snapshot = self.snapshot()
        suggestions: list[Any] = []
        relaxed = False
        variant = assign_variant(self.settings.experiment, request.shopper_id)
        if snapshot.engine is not None:
            from recommender.engine.rerank import RerankParams

            feedback = None
            if personalised and shopper is not None and request.mode in SESSION_MODES:
                feedback = self._session_from(events, now)
            try:
                suggestions, relaxed = snapshot.engine.recommend(
                    shopper_id=shopper.id if personalised and shopper else None,
                    mode=request.mode,
                    filters=filters,
                    k=request.k,
                    anchor_item_id=request.anchor_item_id,
                    query=request.query,
                    feedback=feedback,
                    rerank=RerankParams(**self.settings.knobs(variant)),
                )
            except LookupError as exc:  # engine.errors.UnknownItemError (e.g. anchor not fitted yet)
                raise NotFound(str(exc) or "unknown item") from exc
            except ValueError as exc:  # engine.errors.EngineError: a request it cannot serve
                raise InvalidRequest(str(exc) or "invalid request") from exc
        algorithms = {s.algorithm for s in suggestions}
        algorithm = algorithms.pop() if len(algorithms) == 1 else C.ALGORITHM_HYBRID
        with self.reads.begin() as session:  # read outside the write transaction: it holds SQLite's lock
            items = queries.item_rows(session, [s.item_id for s in suggestions])
        shown = self._still_allowed([s for s in suggestions if s.item_id in items], items, filters, request.mode,
                                    snapshot)
        cards = [
            item_card(
                items[s.item_id],
                settings=self.settings,
                language=request.language,
                currency=wanted.currency,
                reason=self._reason(s, request.language),
                reason_code=s.reason_code,
                reasons=dict(s.reasons or {}),
            )
            for s in shown
        ]
        with self.sessions.begin() as session:  # the write: only the log row
            recommendation_id = queries.log_recommendation(
                session,
                shopper_id=request.shopper_id,
                algorithm=algorithm,
                variant=variant,
                # only a shopper is assigned by the hash: anonymous lists belong to no experiment;
                # nor do outfits, which the re-ranking knobs under test do not change
                experiment=self.settings.experiment.name
                if self.settings.experiment is not None and request.shopper_id and request.mode in C.RERANKED_MODES
                else None,
                mode=request.mode,
                language=request.language,
                personalised=personalised,
                fallback=bool(relaxed),
                query=request.query,
                filters={
                    **wanted.model_dump(),
                    "vertical": request.vertical,
                    "anchor_item_id": request.anchor_item_id,
                    "k": request.k,
                },
                items=[
                    {
                        "item_id": s.item_id,
                        "score": float(s.score),
                        "reason_code": s.reason_code,
                        "reason": dict(s.reasons or {}),
                    }
                    for s in shown
                ],
            )
        return {
            "recommendation_id": recommendation_id,
            "algorithm": algorithm,
            "variant": variant,
            "items": cards,
            "fallback": bool(relaxed),
        }

    # -- online learning ---------------------------------------------------

    def session_feedback(self, shopper_id: str, now: float | None = None) -> Any:
        """The shopper's feedback in this conversation, read from the interactions table.

        Read on every personalised request (an index range over the shopper's last
        ``SESSION_TTL_SECONDS``), not cached: with several worker processes, a like, a cart
        or an order stored through any of them changes the next list from all of them.
        """
        now = time.time() if now is None else now
        with self.reads.begin() as session:
            return self._session_from(self._feedback_events(session, shopper_id, now), now)

    @staticmethod
    def _feedback_events(session: Session, shopper_id: str, now: float) -> list[Any]:
        """The shopper's dislikes and recent session events (queries.feedback_events)."""
        from recommender.engine import online

        since = datetime.fromtimestamp(now - online.SESSION_TTL_SECONDS, tz=UTC)
        return queries.feedback_events(session, shopper_id, since, online.SESSION_TYPES)

    @staticmethod
    def _session_from(events: list[Any], now: float) -> Any:
        """SessionFeedback from feedback_events rows: the consented ones, within the session window."""
        from recommender.engine import online

        return online.feedback_from_rows(
            ((as_utc(at).timestamp(), item, kind) for at, item, kind, used in events if used), now
        )

    def _still_allowed(
        self, suggestions: list[Any], items: dict[str, Any], filters: Any, mode: str, snapshot: Snapshot
    ) -> list[Any]:
        """The suggestions whose items, as stored now, still pass the request's hard filters.

        The engine ranks the catalog it was fitted on. An import since then (a new allergen, a
        higher price, stock 0, a higher risk level) shows in the rows read for the cards before
        the next refit sees it: such an item is left out rather than shown against the
        shopper's constraints. Only rows changed since the fit are checked (none, usually).
        """
        from recommender.engine.catalog import Catalog
        from recommender.engine.filters import hard_mask, soft_masks

        fitted = snapshot.version[1][1] if len(snapshot.version) > 1 else None
        changed = [
            s.item_id for s in suggestions
            if fitted is None or as_utc(items[s.item_id].updated_at) > as_utc(fitted)
        ]
        if not changed:
            return suggestions
        if mode == "outfit":  # the outfit composer judges these per slot itself (engine/facade.py)
            filters = replace(filters, vertical="fashion", category=None, size=None, occasion=None, colour=None)
        catalog = Catalog.from_frame(frames.items_frame_of(frames.item_records([items[i] for i in changed]),
                                                           self.settings))
        passing = hard_mask(catalog, filters) & soft_masks(catalog, filters).get("price", True)  # a budget is hard
        refused = {item for item, ok in zip(changed, passing, strict=True) if not ok}
        if refused:
            logger.info("left out %d item(s) changed since the last fit that no longer pass the filters: %s",
                        len(refused), ", ".join(sorted(refused)))
        return [s for s in suggestions if s.item_id not in refused]

    @staticmethod
    def _reason(suggestion: Any, language: str) -> str:
        reasons = suggestion.reasons or {}
        return str(reasons.get(language) or reasons.get("zh") or reasons.get("en") or "")

    def popular(self, *, vertical: str | None, k: int, language: str) -> list[dict[str, Any]]:
        """Most popular items as cards (the actions' fallback cache)."""
        snapshot = self.snapshot()
        suggestions = snapshot.engine.popular(vertical=vertical, k=k) if snapshot.engine else []
        with self.reads.begin() as session:
            items = queries.item_rows(session, [s.item_id for s in suggestions])
        if suggestions:
            from recommender.engine import Filters

            suggestions = self._still_allowed(
                [s for s in suggestions if s.item_id in items], items, Filters(vertical=vertical), "popular", snapshot
            )
        return [
            item_card(
                items[s.item_id],
                settings=self.settings,
                language=language,
                reason=self._reason(s, language),
                reason_code=s.reason_code,
                reasons=dict(s.reasons or {}),
            )
            for s in suggestions
        ]

    # -- offers and risk -------------------------------------------------

    def _customer(self, shopper_id: str | None) -> tuple[Shopper | None, str, Any, bool]:
        """(shopper, segment, CustomerValue, personalised): value and segment only with consent."""
        with self.reads.begin() as session:
            shopper = session.get(Shopper, shopper_id) if shopper_id else None
        customers = self.snapshot().customers
        if shopper is not None and shopper.consent:
            return (
                shopper,
                customers.segments.get(shopper.id, C.DEFAULT_SEGMENT),
                customers.value_of(shopper.id),
                True,
            )
        return shopper, C.DEFAULT_SEGMENT, customers.value_of(None), False

    def offers_for(self, *, shopper_id: str | None, language: str) -> dict[str, Any]:
        """Choose one offer for the shopper with the learning, margin-capped policy; log it as shown.

        Candidates are the active offers for the shopper's segment (and general ones).
        Of those, only offers whose cost on the shopper's expected order fits the budget
        allowed by their predicted value if retained (CLV / P(alive)) are eligible
        (``offers_policy.MarginRule``: never above ``offer_max_margin_share`` of the expected
        margin; the more at risk, the larger the budget; each grant carries its maximum
        discount). Thompson sampling on the segment's accept/decline answers, read from the
        offer_events table so every replica learns from every answer, picks the offer with the
        highest sampled acceptance × (margin of the order − discount): expected profit, not
        take-up alone.
        """
        from recommender.engine.offers import choose_offers
        from recommender.offers_policy import MarginRule, OfferArm, OfferPolicy

        _, segment, value, personalised = self._customer(shopper_id)
        rule = MarginRule(
            max_margin_share=self.settings.offer_max_margin_share, margin_rate=self.settings.offer_margin_rate
        )
        with self.reads.begin() as session:
            offers = [self._offer_dict(o) for o in queries.active_offers(session)]
            answers = queries.offer_answers(session, segment)
        candidates = choose_offers(segment, offers, k=len(offers))
        policy_out: dict[str, Any] = {
            "clv": round(value.clv, 2),
            "p_alive": round(value.p_alive, 4),
            "order_value": round(value.order_value, 2),
            "budget": round(rule.budget(value), 2),
            "cap": round(rule.cap(value), 2),
            "eligible": 0,
        }
        if not candidates:
            return {"segment": segment, "offers": [], "policy": policy_out}
        policy = OfferPolicy([OfferArm.from_offer(o) for o in candidates], rule, seed=None)
        policy.bandit.load_state(
            {
                segment: {
                    code: [policy.bandit.prior_alpha + acc, policy.bandit.prior_beta + dec]
                    for code, (acc, dec) in answers.items()
                    if code in {o["code"] for o in candidates}
                }
            }
        )
        policy_out["eligible"] = len(policy.eligible_arms(value))
        decision = policy.choose(segment, value)
        if decision is None:
            return {"segment": segment, "offers": [], "policy": policy_out}
        chosen = next(o for o in candidates if o["code"] == decision.arm.code)
        with self.sessions.begin() as session:
            queries.log_offer_event(
                session,
                shopper_id=shopper_id,
                offer_code=decision.arm.code,
                segment=segment,
                event=C.OFFER_SHOWN,
                cost=decision.cost,
                max_discount=decision.max_discount,
            )
        policy_out.update(
            cost=round(decision.cost, 2),
            sampled_rate=round(decision.sampled_rate, 4),
            personalised=personalised,
        )
        return {"segment": segment, "offers": [self._offer_out(chosen, language)], "policy": policy_out}

    def offer_response(self, *, shopper_id: str, offer_code: str, accepted: bool) -> dict[str, Any]:
        """Record the shopper's answer to an offer shown to them; the bandit learns from it.

        The first accept of a showing is a grant (unless the shopper still holds an open one, or
        the offer was withdrawn), redeemed by the shopper's next order that
        meets its min_spend within the offer's ``valid_days`` (default ``OFFER_GRANT_DAYS``;
        ``queries.apply_best_grant``): it keeps
        the offer's terms and the maximum discount the policy decided for that showing (so the
        discount never exceeds the margin cap, whatever the order's size).
        """
        with self.sessions.begin() as session:
            # One answer of a shopper at a time, shopper row or not (an offer can be shown to a
            # shopper id that has none): otherwise two accepts racing on PostgreSQL could both
            # find no open grant and grant twice. SQLite has one writer at a time anyway.
            lock_until_commit(session, f"offer-answer:{shopper_id}")
            shown = queries.last_shown_offer(session, shopper_id, offer_code)
            if shown is None:
                raise NotFound(f"offer '{offer_code}' was not shown to shopper '{shopper_id}'")
            event = C.OFFER_ACCEPTED if accepted else C.OFFER_DECLINED
            # One answer per showing: the bandit learns one accept or decline from each time the
            # offer was shown. A repeat of the same answer (a client retry) changes nothing and
            # says so; a different one needs the offer shown again.
            answered = queries.answer_since(session, shopper_id, offer_code, shown.id)
            if answered is not None and answered.event != event:
                raise Conflict(
                    f"offer '{offer_code}' was already {answered.event} since it was last shown to this "
                    "shopper; show offers again to answer anew"
                )
            if answered is not None:
                answers = queries.offer_answers(session, shown.segment).get(offer_code, (0, 0))
                return {
                    "offer_code": offer_code, "segment": answered.segment, "event": event,
                    "accepted": answers[0], "declined": answers[1],
                    "granted": answered.max_discount is not None, "repeat": True,
                }
            offer = session.get(Offer, offer_code) if accepted else None
            # A shopper holds at most one open grant: each showing would otherwise add another
            # capped discount, and N grants cost N caps. An offer withdrawn since it was shown
            # grants nothing either.
            grant = (
                offer is not None
                and offer.active
                and not queries.granted_since(session, shopper_id, offer_code, shown.id)
                and not queries.open_grants(session, shopper_id, utcnow())
            )
            row = queries.log_offer_event(
                session,
                shopper_id=shopper_id,
                offer_code=offer_code,
                segment=shown.segment,
                event=event,
                cost=float(shown.cost or 0),
                max_discount=self._grant_max_discount(shown, offer, shopper_id) if grant else None,
                grant=offer if grant else None,
                expires_at=utcnow() + timedelta(days=grant_days(offer.valid_days))
                if grant and offer is not None
                else None,
                showing_id=shown.id if grant else None,
            )
            answers = queries.offer_answers(session, shown.segment).get(offer_code, (0, 0))
        return {
            "offer_code": offer_code,
            "segment": row.segment,
            "event": event,
            "accepted": answers[0],
            "declined": answers[1],
            "granted": bool(grant),
        }

    def _grant_max_discount(self, shown: Any, offer: Offer | None, shopper_id: str) -> float:
        """The max discount the policy decided when the offer was shown; for a showing logged
        before showings kept it, the same margin rule applied to the shopper's value now."""
        if shown.max_discount is not None:
            return float(shown.max_discount)
        if offer is None:
            return 0.0
        from recommender.offers_policy import MarginRule, OfferArm

        _, _, value, _ = self._customer(shopper_id)
        rule = MarginRule(
            max_margin_share=self.settings.offer_max_margin_share, margin_rate=self.settings.offer_margin_rate
        )
        return rule.max_discount(OfferArm.from_offer(self._offer_dict(offer)), value)

    @staticmethod
    def _offer_dict(offer: Offer) -> dict[str, Any]:
        return {
            "code": offer.code,
            "title_zh": offer.title_zh,
            "title_en": offer.title_en,
            "description_zh": offer.description_zh,
            "description_en": offer.description_en,
            "discount_type": offer.discount_type,
            "discount_value": float(offer.discount_value),
            "min_spend": float(offer.min_spend or 0),
            "segment": offer.segment,
            "active": offer.active,
        }

    @staticmethod
    def _offer_out(offer: dict[str, Any], language: str) -> dict[str, Any]:
        other = "zh" if language == "en" else "en"
        return {
            "code": offer["code"],
            "title": offer.get(f"title_{language}") or offer.get(f"title_{other}") or offer["code"],
            "description": offer.get(f"description_{language}") or offer.get(f"description_{other}") or "",
            "discount_type": offer["discount_type"],
            "discount_value": offer["discount_value"],
            "min_spend": offer.get("min_spend", 0.0),
            "segment": offer.get("segment"),
        }

    def risk_profile(
        self, *, shopper_id: str, answers: dict[str, str], stated_ceiling: int | None, language: str = "zh"
    ) -> dict[str, Any]:
        """Score the questionnaire and store the level in the shopper's profile."""
        from recommender.engine.risk import score_risk

        level, explanation = score_risk(answers, stated_ceiling)
        level = int(level)
        with self.sessions.begin() as session:
            shopper = queries.get_or_create_shopper(
                session, shopper_id, default_consent=self.settings.default_consent
            )
            queries.update_shopper(
                session,
                shopper,
                profile={
                    "risk_level": level,
                    "risk_answers": dict(answers),
                    "stated_ceiling": stated_ceiling,
                },
            )
        text = explanation.get(language) or explanation.get("zh") or explanation.get("en") or ""
        return {"risk_level": level, "label": C.risk_label(level), "explanation": text}
