"""Multi-scale session EASE: the Gram matrix mixes co-occurrence at several time scales."""

from __future__ import annotations

from collections.abc import Sequence

from .session_ease import KernelEASE, multiscale_kernel_gram

__all__ = ["MultiScaleEASEModel", "multiscale_kernel_gram"]


class MultiScaleEASEModel(KernelEASE):
    """EASE ([1]) on G = w_0 X'X + sum_k w_k G_k, with G_k the time-local Gram at scale tau_k.

    G_k counts two items of a user with weight exp(-|t_i - t_j| / tau_k), as in
    ``SessionEASEModel`` (which is the case of one scale). Several scales let items of the
    same page of ratings (minutes), of the same visit (hours) and of the same day count
    more than items rated months apart, each by its own weight; w_0 = 1 - sum(w_k) is
    the share of plain co-occurrence. Closed form: P = (G + Lambda)^-1, B = -P / diag(P),
    diag(B) = 0, Lambda = l2 I + dropout/(1 - dropout) diag(G) ([2]). Without a
    ``timestamp`` column every interaction of a user counts as simultaneous and this is
    plain EASE.

    Parameters
    ----------
    l2 : float
        Ridge penalty lambda (scales with the number of interactions).
    time_scales : sequence of float
        Kernel decays tau_k, in the units of ``timestamp`` (seconds for Unix times).
    time_weights : sequence of float
        Share w_k of each time-local Gram, >= 0 and summing to at most 1.
    dropout : float
        Emphasised-denoising dropout p in [0, 1).

    Attributes
    ----------
    weights_ : ndarray of shape (n_items, n_items), zero diagonal

    References
    ----------
    [1] H. Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019.
    [2] H. Steck, "Autoencoders that don't overfit towards the Identity", NeurIPS 2020.
    """

    def __init__(
        self,
        l2: float = 100.0,
        time_scales: Sequence[float] = (300.0, 3600.0, 86400.0),
        time_weights: Sequence[float] = (0.4, 0.2, 0.15),
        dropout: float = 0.5,
    ) -> None:
        self.l2 = l2
        self.time_scales = time_scales
        self.time_weights = time_weights
        self.dropout = dropout

    def _mixture(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        scales = tuple(float(s) for s in self.time_scales)
        shares = tuple(float(w) for w in self.time_weights)
        if len(shares) != len(scales):
            raise ValueError(f"time_scales and time_weights differ in length: {len(scales)} vs {len(shares)}")
        if any(s <= 0 for s in scales):
            raise ValueError(f"time_scales must be > 0, got {list(scales)}")
        if any(w < 0 for w in shares) or sum(shares) > 1.0 + 1e-9:
            raise ValueError(f"time_weights must be >= 0 and sum to at most 1, got {list(shares)}")
        return scales, shares
