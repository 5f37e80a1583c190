"""Beta-Bernoulli Thompson sampling, one posterior per (segment, arm)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .constants import PRIOR_ALPHA, PRIOR_BETA


class BetaThompson:
    """Acceptance rates learnt from accept (1) / decline (0) answers, per segment.

    Each (segment, arm) starts at Beta(prior_alpha, prior_beta); an accept adds one to
    alpha, a decline one to beta. ``choose`` draws one rate per candidate arm and returns
    the arm whose draw, times the arm's value when an accept pays (``values``), is largest:
    Thompson sampling for the expected value rate × value, so arms are tried in proportion
    to the chance they are the most valuable. Without ``values`` every accept is worth 1.
    """

    def __init__(
        self, seed: int | None, prior_alpha: float = PRIOR_ALPHA, prior_beta: float = PRIOR_BETA
    ) -> None:
        if prior_alpha <= 0 or prior_beta <= 0:
            raise ValueError(f"Beta prior parameters must be > 0, got ({prior_alpha}, {prior_beta})")
        self.prior_alpha = prior_alpha
        self.prior_beta = prior_beta
        self._rng = np.random.default_rng(seed)
        self._counts: dict[str, dict[str, list[float]]] = {}

    def _posterior(self, segment: str, code: str) -> list[float]:
        arms = self._counts.setdefault(segment, {})
        return arms.setdefault(code, [self.prior_alpha, self.prior_beta])

    def choose(
        self, segment: str, codes: Sequence[str], values: Sequence[float] | None = None
    ) -> tuple[str, float]:
        """The arm with the highest sampled rate × value among `codes`, and its sampled rate."""
        if not codes:
            raise ValueError("no arm to choose from")
        if values is not None and len(values) != len(codes):
            raise ValueError(f"one value per arm needed: {len(codes)} arms, {len(values)} values")
        params = np.array([self._posterior(segment, code) for code in codes])
        draws = self._rng.beta(params[:, 0], params[:, 1])
        scores = draws if values is None else draws * np.asarray(values, dtype=float)
        best = int(np.argmax(scores))
        return codes[best], float(draws[best])

    def update(self, segment: str, code: str, accepted: bool) -> None:
        """Add one answer to the posterior of (segment, code)."""
        posterior = self._posterior(segment, code)
        posterior[0 if accepted else 1] += 1.0

    def mean(self, segment: str, code: str) -> float:
        """Posterior mean acceptance rate."""
        alpha, beta = self._counts.get(segment, {}).get(code, (self.prior_alpha, self.prior_beta))
        return alpha / (alpha + beta)

    def state(self) -> dict[str, dict[str, list[float]]]:
        """Posterior parameters as plain data (segment → code → [alpha, beta]), for storage."""
        return {
            segment: {code: list(ab) for code, ab in arms.items()} for segment, arms in self._counts.items()
        }

    def load_state(self, state: dict[str, dict[str, Sequence[float]]]) -> None:
        """Restore posteriors saved by :meth:`state`."""
        loaded: dict[str, dict[str, list[float]]] = {}
        for segment, arms in state.items():
            for code, pair in arms.items():
                alpha, beta = (float(value) for value in pair)
                if alpha <= 0 or beta <= 0:
                    raise ValueError(f"bad posterior for {segment}/{code}: {pair!r}")
                loaded.setdefault(str(segment), {})[str(code)] = [alpha, beta]
        self._counts = loaded
