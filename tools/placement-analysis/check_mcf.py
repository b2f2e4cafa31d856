"""Optimality check for placement_lab.mcf: no negative cycle in the residual
graph (with a super vertex joining nodes that may give/take a unit)."""
import numpy as np, placement_lab as L
def negative_cycle(C, X, lo, hi, iters=None):
    Pn, n = C.shape; load = X.sum(0); dn = np.zeros(n)
    for it in range(iters or (Pn + n + 3)):
        dp = np.where(X, dn[None, :] - C, np.inf).min(axis=1)
        cand = np.where(~X, dp[:, None] + C, np.inf).min(axis=0)
        # closing arc: a taker v (load < hi) -> Z -> a giver u (load > lo)
        z = dn[load < hi].min() if (load < hi).any() else np.inf
        cand = np.minimum(cand, np.where(load > lo, z, np.inf))
        new = np.minimum(dn, cand)
        if (new >= dn - 1e-9).all(): return False
        dn = new
    return True
for seed in range(6):
    n = [8, 16, 33, 64, 17, 48][seed]
    m = sorted(L.rng_ids(77 + seed, n)); u = L.scores(m)
    for costf, bandf in (("score", L.exact), ("score", L.band), ("rank^4", L.exact)):
        C = u if costf == "score" else L.ranks(u) ** 4 + 0.5 * u
        lo, hi = bandf(n); X = L.mcf(C, lo, hi)
        print(n, costf, bandf.__name__, "negative cycle!" if negative_cycle(C, X, lo, hi) else "optimal")
