"""Maximum-likelihood helper: minimise a mean negative log-likelihood over log-parameters."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize

from .constants import FTOL, GTOL, INITIAL_LOG_PARAMS, LOG_BOUND, MAX_ITER

#: ``f(params) -> (mean log-likelihood, gradient of it w.r.t. params)``, params > 0.
LogLikelihood = Callable[[np.ndarray], tuple[float, np.ndarray]]


class FitError(RuntimeError):
    """The likelihood could not be maximised (no convergence or a non-finite value)."""


def maximise(log_likelihood: LogLikelihood, n_params: int, *, max_iter: int = MAX_ITER,
             initial: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Positive parameters maximising ``log_likelihood``, and the maximum (mean per row).

    The search runs on ``log(params)`` with L-BFGS-B and the analytic gradient
    (chain rule: d/d log θ = θ · d/dθ), so positivity needs no constraint.
    """
    start = np.full(n_params, INITIAL_LOG_PARAMS) if initial is None else np.log(initial)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        value, gradient = log_likelihood(params)
        if not np.isfinite(value):
            return np.inf, np.zeros(n_params)
        return -value, -gradient * params

    result = minimize(objective, start, jac=True, method="L-BFGS-B",
                      bounds=[(-LOG_BOUND, LOG_BOUND)] * n_params,
                      options={"maxiter": max_iter, "gtol": GTOL, "ftol": FTOL})
    if not np.isfinite(result.fun):
        raise FitError(f"maximum likelihood failed: {result.message}")
    if not result.success and result.nit >= max_iter:
        raise FitError(f"maximum likelihood did not converge in {max_iter} iterations")
    return np.exp(result.x), float(-result.fun)
