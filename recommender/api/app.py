"""FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.staticfiles import StaticFiles

from recommender import __version__
from recommender import constants as C
from recommender.api.deps import ServiceAuth
from recommender.api.errors import document_errors, install_error_handlers
from recommender.api.middleware import GuardMiddleware
from recommender.api.routes import (
    admin,
    analytics,
    chat,
    handoffs,
    health,
    images,
    interactions,
    items,
    offers,
    orders,
    recommendations,
    shoppers,
    web,
)
from recommender.config import Settings
from recommender.service import RankingService
from recommender.storage.db import create_db_engine

logger = logging.getLogger(__name__)

ROUTERS = (
    health.router, web.router, chat.router, images.router, recommendations.router, items.router,
    shoppers.router, interactions.router, orders.router, offers.router, handoffs.router, analytics.router,
    admin.router,
)


def create_app(settings: Settings | None = None, *, start_engine: bool = True) -> FastAPI:
    """Build the app. Nothing touches the database until the app starts.

    On startup the ranking engine is fitted and the refit thread started
    (``start_engine=False`` skips both; the engine is then fitted on first use).
    """
    settings = settings or Settings.from_env()
    db_engine = create_db_engine(settings.database_url)
    service = RankingService(settings, db_engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.service_tokens:
            logger.warning("%s/%s unset or too short: protected endpoints answer 503",
                           C.ENV_SERVICE_TOKEN, C.ENV_STAFF_TOKEN)
        if start_engine:
            service.start()
        try:
            yield
        finally:
            service.stop()
            client = getattr(app.state, "http", None)
            if client is not None:
                await client.aclose()
            db_engine.dispose()

    app = FastAPI(
        title="Dianxiaoer recommender",
        version=__version__,
        description="Bilingual shopping-assistant backend: catalog, interactions, recommendations.",
        lifespan=lifespan,
        # The schema describes every staff and service endpoint, so it is served below behind
        # the service token; the interactive pages (Swagger UI, ReDoc) are off: they fetch the
        # schema without a token. app.openapi() still builds it (tests, schemathesis).
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.service = service
    app.state.http = None
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/openapi.json", include_in_schema=False, dependencies=[ServiceAuth])
    def openapi_schema() -> JSONResponse:
        """The OpenAPI schema (service or staff token)."""
        return JSONResponse(app.openapi())

    document_errors(app)
    # After the generated images route, so /static/img/<id>.svg is ours.
    if C.STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=C.STATIC_DIR), name="static")
    else:
        logger.warning("%s missing: /static serves only the generated item pictures", C.STATIC_DIR)
    app.add_middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes)
    return app
