"""HTTP client for the recommender API (docs/contracts.md), one per action run.

Each client carries a time budget (``RECOMMENDER_TIMEOUT``, total including connect)
shared by every call it makes, so an action never waits longer than the budget even
when it needs two calls. Failures become small exceptions the actions turn into an
apology. Nothing personal is logged: only the method, the path template and the error.
"""

import asyncio
import logging
import os
import time
from typing import Any, Dict, List, Mapping, Optional
from urllib.parse import quote

import aiohttp

from actions.cache import POPULAR_CACHE, PopularCache
from actions.constants import (
    DEFAULT_RECOMMENDER_URL,
    DEFAULT_TIMEOUT_SECONDS,
    ENV_RECOMMENDER_TIMEOUT,
    ENV_RECOMMENDER_URL,
    ENV_SERVICE_TOKEN,
    INTERACTION_SOURCE,
    MIN_REQUEST_SECONDS,
    PATH_HANDOFFS,
    PATH_INTERACTIONS,
    PATH_ITEM,
    PATH_OFFER_RESPONSE,
    PATH_OFFERS,
    PATH_ORDERS,
    PATH_POPULAR,
    PATH_RECOMMENDATIONS,
    PATH_RISK_PROFILE,
    PATH_SHOPPER,
    POPULAR_K,
)

logger = logging.getLogger(__name__)


class RecommenderError(Exception):
    """The recommender did not give a usable answer."""

    def __init__(self, message: str = "recommender error") -> None:
        """Keep a short message without personal data."""
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        """Return the message."""
        return self.message


class RecommenderUnavailable(RecommenderError):
    """Connection refused, timeout, exhausted budget, 5xx or an unreadable answer."""


class RecommenderRejected(RecommenderError):
    """The recommender answered 4xx: our request was refused."""

    def __init__(self, status: int, detail: str = "") -> None:
        """Keep the status and the server's (non-personal) detail."""
        super().__init__(f"recommender refused the request ({status}): {detail}"[:300])
        self.status = status
        self.detail = detail


def _timeout_from_env() -> float:
    raw = os.environ.get(ENV_RECOMMENDER_TIMEOUT, "")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        logger.warning("%s is not a number; using %s s", ENV_RECOMMENDER_TIMEOUT, DEFAULT_TIMEOUT_SECONDS)
        return DEFAULT_TIMEOUT_SECONDS
    return value if value > 0 else DEFAULT_TIMEOUT_SECONDS


class RecommenderClient:
    """Typed calls to the recommender within one time budget."""

    def __init__(
        self,
        base_url: str = DEFAULT_RECOMMENDER_URL,
        token: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        cache: PopularCache = POPULAR_CACHE,
    ) -> None:
        """Start the time budget now; ``timeout`` covers every call of this client."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cache = cache
        self._token = token
        self._deadline = time.monotonic() + timeout

    @classmethod
    def from_env(cls) -> "RecommenderClient":
        """Build a client from RECOMMENDER_URL, DXE_SERVICE_TOKEN and RECOMMENDER_TIMEOUT."""
        return cls(
            base_url=os.environ.get(ENV_RECOMMENDER_URL) or DEFAULT_RECOMMENDER_URL,
            token=os.environ.get(ENV_SERVICE_TOKEN) or None,
            timeout=_timeout_from_env(),
        )

    def remaining(self) -> float:
        """Seconds left in this client's budget."""
        return self._deadline - time.monotonic()

    async def _call(
        self,
        method: str,
        path: str,
        label: str,
        body: Optional[Mapping[str, Any]] = None,
        params: Optional[Mapping[str, Any]] = None,
    ) -> Any:
        """Send one request; ``label`` is the path template used in logs."""
        remaining = self.remaining()
        if remaining < MIN_REQUEST_SECONDS:
            raise RecommenderUnavailable("time budget exhausted")
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        try:
            async with aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=remaining), headers=headers
            ) as session:
                async with session.request(method, self.base_url + path, json=body, params=query) as response:
                    if response.status >= 500:
                        raise RecommenderUnavailable(f"{method} {label}: HTTP {response.status}")
                    payload = await response.json(content_type=None)
                    if response.status >= 400:
                        detail = payload.get("detail") if isinstance(payload, dict) else ""
                        raise RecommenderRejected(response.status, str(detail or ""))
                    return payload
        except RecommenderRejected as exc:
            # the server's detail may echo our input, so only the status is logged
            logger.warning("Recommender call %s %s refused: HTTP %s", method, label, exc.status)
            raise
        except RecommenderError as exc:
            logger.warning("Recommender call %s %s failed: %s", method, label, exc)
            raise
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            logger.warning("Recommender call %s %s failed: %s", method, label, type(exc).__name__)
            raise RecommenderUnavailable(f"{method} {label}: {type(exc).__name__}") from exc

    @staticmethod
    def _expect_dict(payload: Any, label: str) -> Dict[str, Any]:
        if not isinstance(payload, dict):
            raise RecommenderUnavailable(f"{label}: unexpected answer")
        return payload

    # --- recommendations ---------------------------------------------------------
    async def recommend(self, request: Dict[str, Any]) -> Dict[str, Any]:
        """POST /api/v1/recommendations; remember the items and refresh popular items if stale."""
        answer = self._expect_dict(
            await self._call("POST", PATH_RECOMMENDATIONS, PATH_RECOMMENDATIONS, body=request),
            PATH_RECOMMENDATIONS,
        )
        items = answer.get("items")
        if not isinstance(items, list):
            raise RecommenderUnavailable(f"{PATH_RECOMMENDATIONS}: answer without items")
        vertical, language = request.get("vertical", ""), request.get("language", "")
        self.cache.remember(vertical, language, items)
        if self.cache.needs_refresh(vertical, language):
            try:
                await self.popular(vertical, language)
            except RecommenderError:
                pass  # the main answer is already here; the refresh waits for next time
        return answer

    async def popular(self, vertical: str, language: str, k: int = POPULAR_K) -> List[Dict[str, Any]]:
        """GET /api/v1/popular and store the answer in the cache."""
        answer = self._expect_dict(
            await self._call(
                "GET",
                PATH_POPULAR,
                PATH_POPULAR,
                params={"vertical": vertical, "k": k, "language": language},
            ),
            PATH_POPULAR,
        )
        items = answer.get("items")
        if not isinstance(items, list):
            raise RecommenderUnavailable(f"{PATH_POPULAR}: answer without items")
        self.cache.replace(vertical, language, items)
        return items

    async def item(self, item_id: str, language: str, currency: str = "CNY") -> Dict[str, Any]:
        """GET /api/v1/items/{item_id}: one item as a card (no reason: it was not recommended)."""
        path = PATH_ITEM.format(item_id=quote(item_id, safe=""))
        return self._expect_dict(
            await self._call("GET", path, PATH_ITEM, params={"language": language, "currency": currency}),
            PATH_ITEM,
        )

    def cached_popular(
        self, vertical: str, language: str, filters: Dict[str, Any], k: int
    ) -> List[Dict[str, Any]]:
        """Safe cached items for the fallback (no network)."""
        return self.cache.get(vertical, language, filters, k)

    # --- shopper actions -----------------------------------------------------------
    async def record_interaction(
        self, shopper_id: str, item_id: str, kind: str, recommendation_id: Optional[str] = None
    ) -> Dict[str, Any]:
        """POST /api/v1/interactions (like, dislike, cart, ...)."""
        body: Dict[str, Any] = {
            "shopper_id": shopper_id,
            "item_id": item_id,
            "type": kind,
            "source": INTERACTION_SOURCE,
        }
        if recommendation_id:
            body["recommendation_id"] = recommendation_id
        return self._expect_dict(
            await self._call("POST", PATH_INTERACTIONS, PATH_INTERACTIONS, body=body), PATH_INTERACTIONS
        )

    async def create_order(
        self, shopper_id: str, item_id: str, quantity: int = 1, recommendation_id: Optional[str] = None
    ) -> Dict[str, Any]:
        """POST /api/v1/orders with one line."""
        body: Dict[str, Any] = {
            "shopper_id": shopper_id,
            "items": [{"item_id": item_id, "quantity": quantity}],
        }
        if recommendation_id:
            body["recommendation_id"] = recommendation_id
        return self._expect_dict(await self._call("POST", PATH_ORDERS, PATH_ORDERS, body=body), PATH_ORDERS)

    async def create_handoff(
        self, shopper_id: str, reason: str, language: str, last_message: Optional[str] = None
    ) -> Dict[str, Any]:
        """POST /api/v1/handoffs."""
        body: Dict[str, Any] = {"shopper_id": shopper_id, "reason": reason, "language": language}
        if last_message:
            body["last_message"] = last_message
        return self._expect_dict(
            await self._call("POST", PATH_HANDOFFS, PATH_HANDOFFS, body=body), PATH_HANDOFFS
        )

    async def update_shopper(self, shopper_id: str, **fields: Any) -> Dict[str, Any]:
        """PUT /api/v1/shoppers/{shopper_id} with the given fields (consent, language, ...)."""
        path = PATH_SHOPPER.format(shopper_id=quote(shopper_id, safe=""))
        return self._expect_dict(await self._call("PUT", path, PATH_SHOPPER, body=fields), PATH_SHOPPER)

    async def risk_profile(
        self,
        shopper_id: str,
        answers: Dict[str, str],
        stated_ceiling: Optional[int] = None,
        language: str = "zh",
    ) -> Dict[str, Any]:
        """POST /api/v1/shoppers/{shopper_id}/risk-profile; the explanation comes in ``language``."""
        path = PATH_RISK_PROFILE.format(shopper_id=quote(shopper_id, safe=""))
        body: Dict[str, Any] = {"answers": answers, "language": language}
        if stated_ceiling is not None:
            body["stated_ceiling"] = stated_ceiling
        return self._expect_dict(
            await self._call("POST", path, PATH_RISK_PROFILE, body=body), PATH_RISK_PROFILE
        )

    async def offer_response(self, shopper_id: str, code: str, accepted: bool) -> Dict[str, Any]:
        """POST /api/v1/offers/{code}/response: the shopper's answer to the offer shown."""
        path = PATH_OFFER_RESPONSE.format(code=quote(code, safe=""))
        body = {"shopper_id": shopper_id, "accepted": accepted}
        return self._expect_dict(
            await self._call("POST", path, PATH_OFFER_RESPONSE, body=body), PATH_OFFER_RESPONSE
        )

    async def offers(self, shopper_id: str, language: str) -> Dict[str, Any]:
        """GET /api/v1/offers for the shopper."""
        return self._expect_dict(
            await self._call(
                "GET", PATH_OFFERS, PATH_OFFERS, params={"shopper_id": shopper_id, "language": language}
            ),
            PATH_OFFERS,
        )
