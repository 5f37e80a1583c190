"""One Settings object read from the environment (every default overridable by an env var)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from recommender import constants as C
from recommender.experiments import Experiment, parse_experiment
from recommender.offers_policy.constants import DEFAULT_MARGIN_RATE, DEFAULT_MAX_MARGIN_SHARE

# Re-ranking and experiment settings (docs/contracts.md, "Environment variables").
ENV_DIVERSITY = "DXE_DIVERSITY"
ENV_LONG_TAIL = "DXE_LONG_TAIL"
ENV_EXPERIMENT = "DXE_EXPERIMENT"
# uvicorn worker processes of `python -m recommender serve`; each holds its own fitted engine,
# so memory grows with the number of workers.
ENV_WORKERS = "DXE_WORKERS"
DEFAULT_WORKERS = 1
MAX_WORKERS = 32
# Modest defaults: relevance stays first (engine/rerank.py explains both knobs).
DEFAULT_DIVERSITY = 0.2
DEFAULT_LONG_TAIL = 0.1


class SettingsError(ValueError):
    """An environment variable holds a value that cannot be used."""


def _float(env: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0 or (value == 0 and not allow_zero) or value != value:
        raise SettingsError(f"{name} must be positive, got {raw!r}")
    return value


def _share(env: Mapping[str, str], name: str, default: float) -> float:
    """A knob between 0 and 1."""
    value = _float(env, name, default, allow_zero=True)
    if value > 1:
        raise SettingsError(f"{name} must be between 0 and 1, got {env.get(name)!r}")
    return value


def _experiment(env: Mapping[str, str]) -> Experiment | None:
    try:
        return parse_experiment(env.get(ENV_EXPERIMENT, ""))
    except ValueError as exc:
        raise SettingsError(f"{ENV_EXPERIMENT}: {exc}") from exc


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


#: One log line per HTTP request costs about 0.5-1 ms of server CPU per request (measured
#: ~0.9 ms at 100k items, ~10% of a recommendation); the recommendation log table already records every list shown.
ENV_ACCESS_LOG = "DXE_ACCESS_LOG"


def _workers(env: Mapping[str, str]) -> int:
    raw = env.get(ENV_WORKERS, "").strip()
    if not raw:
        return DEFAULT_WORKERS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WORKERS:
        raise SettingsError(f"{ENV_WORKERS} must be a whole number from 1 to {MAX_WORKERS}, got {raw!r}")
    return int(raw)


def default_database_url() -> str:
    """The embedded SQLite file under the repository's ``var/`` folder."""
    return f"sqlite:///{C.REPO_ROOT / C.DEFAULT_SQLITE_FILE}"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of the recommender service.

    Tokens shorter than ``MIN_TOKEN_LENGTH`` count as unset: the protected endpoints
    then answer 503 "server not configured" instead of running open.
    """

    database_url: str = field(default_factory=default_database_url)
    service_token: str | None = None
    staff_token: str | None = None
    rasa_url: str = C.DEFAULT_RASA_URL
    usd_cny: float = C.DEFAULT_USD_CNY
    default_consent: bool = False
    refit_seconds: float = C.DEFAULT_REFIT_SECONDS  # 0 disables the background refit
    rasa_timeout: float = C.DEFAULT_RASA_TIMEOUT
    max_body_bytes: int = C.DEFAULT_MAX_BODY_BYTES
    host: str = C.DEFAULT_HOST
    port: int = C.DEFAULT_PORT
    diversity: float = DEFAULT_DIVERSITY  # MMR knob, 0 (relevance only) .. 1
    long_tail: float = DEFAULT_LONG_TAIL  # down-weights the most popular, 0 .. 1
    experiment: Experiment | None = None  # A/B test of the knobs (DXE_EXPERIMENT JSON)
    tune_seconds: float = C.DEFAULT_TUNE_SECONDS  # refit the blend weights this often (0: hand-set weights)
    offer_max_margin_share: float = DEFAULT_MAX_MARGIN_SHARE  # cap: share of expected margin given away
    offer_margin_rate: float = DEFAULT_MARGIN_RATE  # gross margin rate on predicted CLV
    workers: int = DEFAULT_WORKERS  # uvicorn processes for `serve`, each with its own engine
    access_log: bool = False  # uvicorn's line per request (DXE_ACCESS_LOG); errors are logged either way

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default ``os.environ``)."""
        env = os.environ if env is None else env
        return cls(
            database_url=env.get(C.ENV_DATABASE_URL, "").strip() or default_database_url(),
            service_token=env.get(C.ENV_SERVICE_TOKEN) or None,
            staff_token=env.get(C.ENV_STAFF_TOKEN) or None,
            rasa_url=(env.get(C.ENV_RASA_URL, "").strip() or C.DEFAULT_RASA_URL).rstrip("/"),
            usd_cny=_float(env, C.ENV_USD_CNY, C.DEFAULT_USD_CNY),
            default_consent=_bool(env, C.ENV_DEFAULT_CONSENT, False),
            refit_seconds=_float(env, C.ENV_REFIT_SECONDS, C.DEFAULT_REFIT_SECONDS, allow_zero=True),
            rasa_timeout=_float(env, C.ENV_RASA_TIMEOUT, C.DEFAULT_RASA_TIMEOUT),
            max_body_bytes=int(_float(env, C.ENV_MAX_BODY_BYTES, C.DEFAULT_MAX_BODY_BYTES)),
            host=env.get(C.ENV_RECO_HOST, "").strip() or C.DEFAULT_HOST,
            port=int(_float(env, C.ENV_RECO_PORT, C.DEFAULT_PORT)),
            diversity=_share(env, ENV_DIVERSITY, DEFAULT_DIVERSITY),
            long_tail=_share(env, ENV_LONG_TAIL, DEFAULT_LONG_TAIL),
            experiment=_experiment(env),
            tune_seconds=_float(env, C.ENV_TUNE_SECONDS, C.DEFAULT_TUNE_SECONDS, allow_zero=True),
            offer_max_margin_share=_share(env, C.ENV_OFFER_MAX_MARGIN_SHARE, DEFAULT_MAX_MARGIN_SHARE),
            offer_margin_rate=_share(env, C.ENV_OFFER_MARGIN_RATE, DEFAULT_MARGIN_RATE),
            workers=_workers(env),
            access_log=_bool(env, ENV_ACCESS_LOG, False),
        )

    def knobs(self, variant: str) -> dict[str, float]:
        """Re-ranking knobs of a variant: the defaults with the experiment's overrides."""
        knobs = {"diversity": self.diversity, "long_tail": self.long_tail}
        if self.experiment is not None:
            knobs.update(self.experiment.overrides(variant))
        return knobs

    @staticmethod
    def usable_token(token: str | None) -> str | None:
        """Return ``token`` if it is long enough to be trusted, else ``None``."""
        if token is None or len(token.strip()) < C.MIN_TOKEN_LENGTH:
            return None
        return token.strip()

    @property
    def service_tokens(self) -> tuple[str, ...]:
        """Tokens accepted on ``service`` routes (service or staff token)."""
        tokens = (self.usable_token(self.service_token), self.usable_token(self.staff_token))
        return tuple(t for t in tokens if t)

    @property
    def staff_tokens(self) -> tuple[str, ...]:
        """Tokens accepted on ``staff`` routes (staff token only)."""
        token = self.usable_token(self.staff_token)
        return (token,) if token else ()

    def to_cny(self, amount: float, currency: str) -> float:
        """Convert ``amount`` in ``currency`` to CNY."""
        return amount * self.usd_cny if currency == "USD" else amount

    def from_cny(self, amount: float, currency: str) -> float:
        """Convert ``amount`` CNY to ``currency``, rounded to cents."""
        value = amount / self.usd_cny if currency == "USD" else amount
        return round(value, 2)
