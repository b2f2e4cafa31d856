"""Lower bound on movement for *order-canonical* placements (see ANALYSIS.md).

On a Ramsey set H every m-set and (m+1)-set of ids is placed "by position":
partition p keeps positions A_p (an N-subset of 0..m-1) of an m-set, and
positions B_p (of 0..m) of an (m+1)-set.  Inserting a joiner at position k maps
old position a to a (a<k) or a+1 (a>=k).  For one partition
    sum_k moved_k = sum_j w_j [j not in B],  w_j = (m-j)[j in A] + j[j-1 in A]
(j = new position), and sum_k moved_k >= N.  def(A,B) = that - N >= 0.
Summing over partitions: sum_k moved_k = P*N + sum_p def_p, and the 1.2x rule
(for every k) gives sum_k moved_k <= (m+1)*floor(1.2*P*N/(m+1)).

Weak duality with prices lam (positions of the m-set) and mu (of the (m+1)-set):
 sum_p def_p >= P*min_{A,B}[def - lam(A) - mu(B)] + min_{balanced loads} lam.load
             + min_{balanced loads'} mu.load'
Every number printed is a valid lower bound (a certificate: lam, mu are saved).
"""
import itertools, json, math, sys
import numpy as np

P, N = 256, 3

def band(n, P=P, N=N):
    ideal = P * N / n
    tol = max(0.05 * ideal, 1.0)
    return math.ceil(ideal - tol - 1e-12), math.floor(ideal + tol + 1e-12)

def min_linear(price, lo, hi, total):
    """min sum price_i*x_i, lo<=x_i<=hi integer, sum x = total (greedy)."""
    x = np.full(len(price), lo, dtype=np.int64)
    rest = total - lo * len(price)
    assert 0 <= rest <= (hi - lo) * len(price)
    for i in np.argsort(price):
        add = min(hi - lo, rest); x[i] += add; rest -= add
        if rest == 0: break
    return float(price @ x), x

def setup(m):
    A = np.array(list(itertools.combinations(range(m), N)), dtype=np.int64)
    W = np.zeros((len(A), m + 1))
    rows = np.arange(len(A))
    for c in range(N):
        a = A[:, c]
        W[rows, a] += (m - a)
        W[rows, a + 1] += (a + 1)
    return A, W

def inner(A, W, lam, mu):
    # min over B of sum_j W_j[j not in B] - mu(B)  = sum W - topN(W + mu)
    V = W + mu[None, :]
    top = -np.sort(-V, axis=1)[:, :N].sum(axis=1)
    val = W.sum(axis=1) - top - N - lam[A].sum(axis=1)
    i = int(np.argmin(val))
    Bstar = np.argsort(-V[i])[:N]
    return float(val[i]), A[i], Bstar

def bound(m, lam, mu, A, W):
    lo, hi = band(m); lo1, hi1 = band(m + 1)
    g, a, b = inner(A, W, lam, mu)
    s1, x = min_linear(lam, lo, hi, P * N)
    s2, y = min_linear(mu, lo1, hi1, P * N)
    return P * g + s1 + s2, (a, b, x, y)

def optimise(m, iters=400):
    A, W = setup(m)
    # start: price ~ distance from the nearer end (the cost of serving a middle position)
    lam = np.array([min(i + 1, m - i) for i in range(m)], float) / N
    mu = np.zeros(m + 1)
    best, bl, bm = -1e18, lam.copy(), mu.copy()
    step0 = max(1.0, m / 8)
    for t in range(iters):
        val, (a, b, x, y) = bound(m, lam, mu, A, W)
        if val > best: best, bl, bm = val, lam.copy(), mu.copy()
        ga = x.astype(float); np.subtract.at(ga, a, P)
        gb = y.astype(float); np.subtract.at(gb, b, P)
        norm = math.sqrt((ga ** 2).sum() + (gb ** 2).sum()) or 1.0
        step = step0 * 20 / (t + 20)
        lam += step * ga / norm; mu += step * gb / norm
    return best, bl, bm

if __name__ == "__main__":
    ms = [int(a) for a in sys.argv[1:]] or list(range(3, 65))
    out = {}
    for m in ms:
        lb, lam, mu = optimise(m)
        A, W = setup(m)
        chk, _ = bound(m, lam, mu, A, W)   # re-evaluate the certificate
        lb = math.floor(chk + 1e-9)
        budget = (m + 1) * math.floor(1.2 * P * N / (m + 1)) - P * N
        ratio = 1 + max(lb, 0) / (P * N)
        print(f"m={m:2d}->{m+1:2d} band(m)={band(m)} band(m+1)={band(m+1)} "
              f"sum_def>={lb:7d} allowed<={budget:4d} avg-over-k ratio>={ratio:.3f} "
              f"{'IMPOSSIBLE' if lb > budget else 'not excluded'}", flush=True)
        out[m] = dict(lower_bound=lb, budget=budget, lam=lam.tolist(), mu=mu.tolist())
    json.dump(out, open("canonical_bound_certificates.json", "w"))
