"""A/B experiments on the re-ranking knobs: configuration and stable variant assignment.

An experiment is configured as JSON in ``DXE_EXPERIMENT``, e.g.
``{"name": "diversity-1", "variants": {"A": {}, "B": {"diversity": 0.5}}}``: each variant
overrides some of the service's default knobs (``diversity``, ``long_tail``, each 0..1).
A shopper's variant is ``sha256(name + ":" + shopper_id)`` modulo the number of variants
(sorted by name), so it never changes while the experiment runs and differs between
experiments. Anonymous requests get the experiment's control: the variant named ``A`` or
``control`` (either case), which every experiment must have exactly one of (otherwise the
configuration is refused at start-up). Every request when no experiment runs gets ``A``.

Kept free of the ranking engine's imports: the settings load it.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

CONTROL_VARIANT = "A"
#: Names a variant may have to be the control (compared case-insensitively); exactly one per experiment.
CONTROL_NAMES = ("a", "control")
TUNABLE = ("diversity", "long_tail")
MAX_VARIANTS = 8
MAX_NAME_LENGTH = 64
MAX_VARIANT_LENGTH = 8  # recommendation_log.variant is VARCHAR(8)


@dataclass(frozen=True)
class Experiment:
    """A named experiment: (variant, ((knob, value), ...)) pairs sorted by variant name, and
    ``control``, the variant anonymous requests get (one of them)."""

    name: str
    variants: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    control: str = CONTROL_VARIANT

    def __post_init__(self) -> None:
        if self.control not in self.names:
            raise ValueError(f"control variant {self.control!r} is not one of the variants {', '.join(self.names)}")

    @property
    def names(self) -> tuple[str, ...]:
        """Variant names sorted by name: the order of the hash buckets (not control first)."""
        return tuple(name for name, _ in self.variants)

    def assign(self, shopper_id: str | None) -> str:
        """The shopper's stable variant; the control for an anonymous request."""
        if not shopper_id:
            return self.control
        digest = hashlib.sha256(f"{self.name}:{shopper_id}".encode()).digest()
        return self.names[int.from_bytes(digest[:8], "big") % len(self.variants)]

    def overrides(self, variant: str) -> dict[str, float]:
        """The knobs a variant changes."""
        return dict(dict(self.variants).get(variant, ()))


def assign_variant(experiment: Experiment | None, shopper_id: str | None) -> str:
    """The shopper's variant, or the control variant when no experiment runs."""
    return experiment.assign(shopper_id) if experiment is not None else CONTROL_VARIANT


def _knob(variant: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"variant {variant}: {name} must be a number between 0 and 1")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"variant {variant}: {name} must be between 0 and 1, got {value}")
    return float(value)


def parse_experiment(raw: str) -> Experiment | None:
    """Parse ``DXE_EXPERIMENT`` (empty: no experiment). Raises ValueError with the reason."""
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from exc
    if not isinstance(data, dict) or set(data) != {"name", "variants"}:
        raise ValueError('expected {"name": "...", "variants": {"A": {}, "B": {"diversity": 0.5}}}')
    name, variants = data["name"], data["variants"]
    if not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_NAME_LENGTH:
        raise ValueError(f"name must be a non-empty string of at most {MAX_NAME_LENGTH} characters")
    if not isinstance(variants, dict) or not 2 <= len(variants) <= MAX_VARIANTS:
        raise ValueError(f"variants must be an object with 2 to {MAX_VARIANTS} variants")
    parsed: list[tuple[str, tuple[tuple[str, float], ...]]] = []
    for variant, overrides in sorted(variants.items()):
        if not (0 < len(variant) <= MAX_VARIANT_LENGTH and variant.isascii() and variant.isalnum()):
            raise ValueError(f"variant name {variant!r} must be 1-{MAX_VARIANT_LENGTH} letters or digits")
        if not isinstance(overrides, dict) or set(overrides) - set(TUNABLE):
            raise ValueError(f"variant {variant}: overrides must be an object with keys among {', '.join(TUNABLE)}")
        knobs = tuple(sorted((key, _knob(variant, key, value)) for key, value in overrides.items()))
        parsed.append((variant, knobs))
    return Experiment(name=name.strip(), variants=tuple(parsed), control=_control(variants))


def _control(variants: dict[str, object]) -> str:
    """The one variant named ``A`` or ``control`` (either case); ValueError if none or several."""
    controls = sorted(variant for variant in variants if variant.lower() in CONTROL_NAMES)
    if len(controls) != 1:
        found = f"found {', '.join(controls)}" if controls else f"got {', '.join(sorted(variants))}"
        raise ValueError(
            f'exactly one variant must be the control, named "A" or "control" '
            f"(anonymous shoppers get it); {found}"
        )
    return controls[0]
