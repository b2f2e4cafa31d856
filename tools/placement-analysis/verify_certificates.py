"""Independent re-check of the certificates in canonical_bound_certificates.json
(and cert_65.json), in plain Python (no numpy).  For each m it recomputes
  LB = P * min_{A,B} [ sum_k moved_k(A,B) - N - lam(A) - mu(B) ]
       + min_{loads in band(m)} lam.load + min_{loads in band(m+1)} mu.load
with moved_k(A,B) = |B minus iota_k(A)| evaluated *directly from the
definition* (all (A,B) pairs) when m <= 9, and through the separable formula
(verified by verify_canonical.py) for larger m.  Reports LB vs the allowed
sum_k moved_k - P*N = (m+1)*floor(1.2*P*N/(m+1)) - P*N."""
import itertools, json, math, sys
P, N = 256, 3

def band(n):
    ideal = P * N / n; tol = max(0.05 * ideal, 1.0)
    return math.ceil(ideal - tol - 1e-12), math.floor(ideal + tol + 1e-12)

def min_linear(price, lo, hi, total):
    rest = total - lo * len(price); s = lo * sum(price)
    for pr in sorted(price):
        add = min(hi - lo, rest); s += add * pr; rest -= add
    assert rest == 0
    return s

def inner_direct(m, lam, mu):
    best = math.inf
    for A in itertools.combinations(range(m), N):
        la = sum(lam[a] for a in A)
        for B in itertools.combinations(range(m + 1), N):
            Bs = set(B)
            tot = sum(sum(1 for a in A if (a if a < k else a + 1) not in Bs) for k in range(m + 1))
            best = min(best, tot - N - la - sum(mu[b] for b in B))
    return best

def inner_formula(m, lam, mu):
    best = math.inf
    for A in itertools.combinations(range(m), N):
        w = [0.0] * (m + 1)
        for a in A: w[a] += m - a; w[a + 1] += a + 1
        v = sorted((w[j] + mu[j] for j in range(m + 1)), reverse=True)
        best = min(best, sum(w) - sum(v[:N]) - N - sum(lam[a] for a in A))
    return best

def check(m, lam, mu):
    lo, hi = band(m); lo1, hi1 = band(m + 1)
    g = inner_direct(m, lam, mu) if m <= 9 else inner_formula(m, lam, mu)
    lb = P * g + min_linear(lam, lo, hi, P * N) + min_linear(mu, lo1, hi1, P * N)
    allowed = (m + 1) * math.floor(1.2 * P * N / (m + 1)) - P * N
    return lb, allowed

if __name__ == "__main__":
    certs = json.load(open("canonical_bound_certificates.json"))
    try: certs.update(json.load(open("cert_65.json")))
    except FileNotFoundError: pass
    ms = [int(a) for a in sys.argv[1:]] or sorted(int(k) for k in certs)
    for m in ms:
        c = certs[str(m)]
        lb, allowed = check(m, c["lam"], c["mu"])
        print(f"m={m:2d}: LB={lb:10.3f} allowed={allowed:4d} -> {'IMPOSSIBLE' if lb > allowed else 'not excluded'}", flush=True)
