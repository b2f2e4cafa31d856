"""Like canonical_bound.py but also weighs the insertion positions k (nu_k >= 0,
sum nu = m+1), using the per-k rule moved_k <= floor(1.2*P*N/(m+1)) directly:
  sum_k nu_k moved_k <= (m+1)*floor(1.2PN/(m+1)),
  per partition sum_k nu_k |iota_k(A) minus B| = sum_j w_j(nu) [j not in B],
  w_j(nu) = [j in A] * sum_{k>j} nu_k + [j-1 in A] * sum_{k<=j-1} nu_k.
Only for small m (enumerates all A)."""
import itertools, math, sys
import numpy as np
from canonical_bound import P, N, band, min_linear

def run(m, iters=3000, seed=0):
    A = np.array(list(itertools.combinations(range(m), N)))
    lo, hi = band(m); lo1, hi1 = band(m + 1)
    cap = (m + 1) * math.floor(1.2 * P * N / (m + 1))
    lam = np.array([min(i + 1, m - i) for i in range(m)], float) / N
    mu = np.zeros(m + 1); nu = np.ones(m + 1)
    best = -1e18; bestc = None
    for t in range(iters):
        suf = np.concatenate([np.cumsum(nu[::-1])[::-1], [0.0]])   # suf[j] = sum_{k>=j} nu_k
        pre = np.concatenate([[0.0], np.cumsum(nu)])               # pre[j] = sum_{k<j} nu_k
        W = np.zeros((len(A), m + 1)); rows = np.arange(len(A))
        for c in range(N):
            a = A[:, c]
            W[rows, a] += suf[a + 1]          # k > a
            W[rows, a + 1] += pre[a + 1]      # k <= a
        V = W + mu[None, :]
        order = np.argsort(-V, axis=1); topidx = order[:, :N]
        top = np.take_along_axis(V, topidx, 1).sum(1)
        val = W.sum(1) - top - lam[A].sum(1)
        i = int(np.argmin(val)); g = float(val[i])
        s1, x = min_linear(lam, lo, hi, P * N); s2, y = min_linear(mu, lo1, hi1, P * N)
        lb = P * g + s1 + s2
        margin = lb - cap * (nu.sum() / (m + 1))
        if margin > best: best, bestc = margin, (lam.copy(), mu.copy(), nu.copy(), lb)
        # subgradients
        a_i = A[i]; b_i = topidx[i]
        ga = x.astype(float); np.subtract.at(ga, a_i, P)
        gb = y.astype(float); np.subtract.at(gb, b_i, P)
        # d/dnu_k of P*cost_i(nu) : P * |iota_k(A_i) minus B_i|
        Bs = set(b_i.tolist())
        gn = np.array([P * sum(1 for a in a_i if (a if a < k else a + 1) not in Bs) for k in range(m + 1)], float)
        gn -= cap / (m + 1)
        step = max(1.0, m / 8) * 20 / (t + 20)
        norm = math.sqrt((ga**2).sum() + (gb**2).sum() + (gn**2).sum()) or 1
        lam += step * ga / norm; mu += step * gb / norm
        nu = np.maximum(nu + 0.05 * step * gn / norm, 0); nu *= (m + 1) / nu.sum()
    return best, bestc

if __name__ == "__main__":
    for m in [int(a) for a in sys.argv[1:]] or [4, 5, 6]:
        margin, (lam, mu, nu, lb) = run(m)
        print(f"m={m}->{m+1}: best margin lb - allowed = {margin:.1f} "
              f"({'IMPOSSIBLE' if margin > 0 else 'not excluded'}); nu={np.round(nu,2).tolist()}", flush=True)
