"""Placement schemes that are pure functions of the member set, and a harness
measuring balance and movement (P=256, N=3).  numpy + stdlib only.
Every scheme: place(members: sorted list of uint64 ids) -> bool matrix X[P, n]
(X[p, i] = members[i] holds a replica of p).  Nothing depends on history or on
the order the members are given in."""
import math, sys, time
import numpy as np

P, N = 256, 3
M64 = (1 << 64) - 1

def mix64(z):
    """splitmix64 finaliser on a numpy uint64 array (wraps mod 2^64)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return z

SALT = np.uint64(0x6865617273617972)

def scores(members):
    """u[p, i] in [0,1): rendezvous score of member i for partition p; lower = preferred."""
    seeds = mix64(np.array(members, dtype=np.uint64) ^ SALT)
    with np.errstate(over="ignore"):
        z = mix64(seeds[None, :] + np.arange(P, dtype=np.uint64)[:, None] * np.uint64(0x9E3779B97F4A7C15))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)

def band(n):
    ideal = P * N / n
    tol = max(0.05 * ideal, 1.0)
    return math.ceil(ideal - tol - 1e-9), math.floor(ideal + tol + 1e-9)

def exact(n):
    t = P * N
    return t // n, -(-t // n)

def ranks(u):
    return np.argsort(np.argsort(u, axis=1), axis=1).astype(np.float64)

# ---------------------------------------------------------------- min-cost flow
def mcf(C, lo, hi, R=N):
    """Min total cost choice of R distinct nodes per partition with every node
    load in [lo, hi].  Successive shortest paths (Bellman-Ford, vectorised) from
    plain top-R; then improving paths until none: the optimum (unique for
    distinct generic costs), a function of C alone."""
    Pn, n = C.shape
    X = np.zeros_like(C, dtype=bool)
    top = np.argsort(C, axis=1)[:, :R]
    X[np.arange(Pn)[:, None], top] = True
    load = X.sum(axis=0)
    INF = np.inf

    def path(src_mask, sink_mask, only_negative):
        dn = np.where(src_mask, 0.0, INF)
        pred_part = np.full(n, -1)
        while True:
            A = np.where(X, dn[None, :] - C, INF)           # node u -> partition p
            pu = np.argmin(A, axis=1); dp = A[np.arange(Pn), pu]
            B = np.where(~X, dp[:, None] + C, INF)          # partition p -> node v
            pv = np.argmin(B, axis=0); cand = B[pv, np.arange(n)]
            better = cand < dn - 1e-12
            if not better.any(): break
            dn = np.where(better, cand, dn)
            pred_part = np.where(better, pv, pred_part)
            pred_node_of_part = pu  # consistent with the dp used
            last_pu = pu
        # recompute partition predecessors for the final dn
        A = np.where(X, dn[None, :] - C, INF)
        pu = np.argmin(A, axis=1)
        d = np.where(sink_mask & (pred_part >= 0), dn, INF)
        v = int(np.argmin(d))
        if not np.isfinite(d[v]) or (only_negative and d[v] >= -1e-12): return False
        hops = 0
        while pred_part[v] >= 0 and not (src_mask[v] and dn[v] == 0.0 and hops > 0):
            p = int(pred_part[v]); u = int(pu[p])
            X[p, v] = True; X[p, u] = False
            load[v] += 1; load[u] -= 1
            v = u; hops += 1
            if src_mask[v] and dn[v] == 0.0: break
            assert hops <= Pn + n
        return True

    for above, below, neg in [(hi, lo, False), (hi, hi, False), (lo, lo, False), (lo, hi, True)]:
        while True:
            src = load > above; snk = load < below
            if not src.any() or not snk.any(): break
            if not path(src, snk, neg): break
    assert (load >= lo).all() and (load <= hi).all(), (load, lo, hi)
    assert (X.sum(axis=1) == R).all()
    return X

# ---------------------------------------------------------------- schemes
def s_hrw(members):
    u = scores(members); X = np.zeros_like(u, dtype=bool)
    X[np.arange(P)[:, None], np.argsort(u, axis=1)[:, :N]] = True
    return X

def s_flow(members, costf="score", bandf=exact):
    u = scores(members); n = len(members)
    if costf == "score": C = u
    elif costf.startswith("rank^"):
        k = float(costf[5:]); C = ranks(u) ** k + 0.5 * u
    elif costf.startswith("exp"):
        s = float(costf[3:] or 1); C = np.exp(ranks(u) / s) + 0.5 * u
    elif costf == "-log":  # exponential-race cost: log-likelihood flavour
        C = -np.log1p(-u)
    lo, hi = bandf(n)
    return mcf(C, lo, hi)

PORDER = np.argsort(mix64(np.arange(P, dtype=np.uint64) ^ np.uint64(0x5EED)))  # fixed partition order

def s_chbl(members, capf=lambda n: band(n)[1], outer_replica=True):
    """Consistent hashing with bounded loads, made history-free: a fixed
    partition order; each replica takes the most preferred (HRW) node that
    does not hold the partition and is below the cap."""
    u = scores(members); n = len(members)
    cap = capf(n); order = np.argsort(u, axis=1)
    X = np.zeros((P, n), bool); load = np.zeros(n, int)
    slots = [(r, p) for r in range(N) for p in PORDER] if outer_replica else [(r, p) for p in PORDER for r in range(N)]
    for r, p in slots:
        for v in order[p]:
            if not X[p, v] and load[v] < cap:
                X[p, v] = True; load[v] += 1; break
    return X

def s_greedy_global(members, capf=lambda n: band(n)[1]):
    """All (partition, node) pairs in ascending score; take a pair if the
    partition still needs a replica and the node is below the cap."""
    u = scores(members); n = len(members); cap = capf(n)
    X = np.zeros((P, n), bool); load = np.zeros(n, int); need = np.full(P, N)
    for idx in np.argsort(u, axis=None):
        p, v = divmod(int(idx), n)
        if need[p] and load[v] < cap:
            X[p, v] = True; load[v] += 1; need[p] -= 1
    assert (need == 0).all()
    return X

def s_dchoice(members, d=2):
    u = scores(members); n = len(members); order = np.argsort(u, axis=1)
    X = np.zeros((P, n), bool); load = np.zeros(n, int)
    for r in range(N):
        for p in PORDER:
            cands = [v for v in order[p] if not X[p, v]][:d]
            v = min(cands, key=lambda v: load[v])  # ties -> better HRW rank (stable)
            X[p, v] = True; load[v] += 1
    return X

def s_maglev(members):
    """Maglev-style fill: nodes take turns (turn order by hashed id); each takes
    its next preferred partition (ascending score) that still needs a replica
    and that it does not hold."""
    u = scores(members); n = len(members)
    pref = np.argsort(u, axis=0)  # pref[:, v] = partitions in v's preference order
    turn = np.argsort(mix64(np.array(members, dtype=np.uint64) ^ np.uint64(0x7777)))
    X = np.zeros((P, n), bool); need = np.full(P, N); ptr = np.zeros(n, int); left = P * N
    while left:
        progressed = False
        for v in turn:
            while ptr[v] < P and (need[pref[ptr[v], v]] == 0 or X[pref[ptr[v], v], v]):
                ptr[v] += 1
            if ptr[v] < P:
                p = pref[ptr[v], v]; X[p, v] = True; need[p] -= 1; left -= 1; progressed = True
                if not left: break
        if not progressed:  # leftovers: each goes to the least loaded non-holder (rare)
            for p in np.nonzero(need)[0]:
                while need[p]:
                    free = np.nonzero(~X[p])[0]; v = free[np.argmin(X[:, free].sum(axis=0))]
                    X[p, v] = True; need[p] -= 1; left -= 1
    return X

def s_twolevel(members, G=8):
    """Two levels.  Node v is in bucket hash(v) % G (fixed per node).  Level 1:
    each partition gets N distinct buckets by min-cost flow over bucket scores
    hash(bucket, p), bucket c taking floor/ceil of P*N*size_c/n replicas.
    Level 2: inside each bucket, its partitions go to its members by exact
    min-cost flow (one replica each) on the members' rendezvous scores.
    Pure function of the member set.  Raises ValueError when infeasible
    (a bucket would need more than P replicas, or fewer than N buckets)."""
    n = len(members); ids = np.array(members, dtype=np.uint64)
    bucket = (mix64(ids ^ np.uint64(0xB0C4E7)) % np.uint64(G)).astype(int)
    used = sorted(set(bucket.tolist())); size = np.array([(bucket == c).sum() for c in used])
    if len(used) < N: raise ValueError("fewer than N buckets")
    target = P * N * size / n
    lo = np.floor(target + 1e-9).astype(int); hi = np.ceil(target - 1e-9).astype(int)
    if (lo > P).any(): raise ValueError("bucket too large")
    hi = np.minimum(hi, P)
    with np.errstate(over="ignore"):
        z = mix64(np.array(used, dtype=np.uint64)[None, :] * np.uint64(0xD6E8FEB86659FD93)
                  + np.arange(P, dtype=np.uint64)[:, None] + np.uint64(0x1234))
    Cb = (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    Xb = mcf(Cb, lo, hi, R=N)
    u = scores(members); X = np.zeros((P, n), bool)
    for j, c in enumerate(used):
        mem = np.nonzero(bucket == c)[0]; parts = np.nonzero(Xb[:, j])[0]
        if len(parts) == 0: continue
        k = len(parts); s = len(mem)
        Xi = mcf(u[np.ix_(parts, mem)], k // s, -(-k // s), R=1)
        X[np.ix_(parts, mem)] = Xi
    return X

# ---------------------------------------------------------------- harness
def moved(old_members, Xo, new_members, Xn):
    idx = {m: i for i, m in enumerate(new_members)}
    total = 0
    for j, m in enumerate(new_members):
        pass
    # map old columns into new column space
    Xo2 = np.zeros((P, len(new_members)), bool)
    for i, m in enumerate(old_members):
        if m in idx: Xo2[:, idx[m]] = Xo[:, i]
    return int((Xn & ~Xo2).sum())

def rng_ids(seed, k):
    r = np.random.default_rng(seed)
    return [int(x) for x in r.integers(0, 2**64, size=k, dtype=np.uint64)]

def evaluate(scheme, ns, seeds, bandcheck=band):
    rows = []
    for n in ns:
        adds, rems, ok = [], [], True
        lmin, lmax = 10**9, 0
        for s in seeds:
            ids = rng_ids(1000 * n + s, n + 2)
            mem = sorted(ids[:n]); joiner = ids[n]; leaver = mem[ids[n + 1] % n]
            grown = sorted(mem + [joiner]); shrunk = [m for m in mem if m != leaver]
            X0 = scheme(mem); Xg = scheme(grown); Xs = scheme(shrunk)
            for Xm, mm in ((X0, mem), (Xg, grown), (Xs, shrunk)):
                L = Xm.sum(axis=0); lo, hi = bandcheck(len(mm))
                if L.min() < lo or L.max() > hi: ok = False
            L0 = X0.sum(axis=0); lmin = min(lmin, L0.min()); lmax = max(lmax, L0.max())
            adds.append(moved(mem, X0, grown, Xg) / (P * N / (n + 1)))
            rems.append(moved(mem, X0, shrunk, Xs) / (P * N / n))
        rows.append(dict(n=n, add_max=max(adds), add_mean=float(np.mean(adds)),
                         rem_max=max(rems), rem_mean=float(np.mean(rems)), balance=ok,
                         lmin=int(lmin), lmax=int(lmax)))
    return rows

SCHEMES = {
    "hrw (no balancing)": s_hrw,
    "flow exact, cost=score (current)": lambda m: s_flow(m, "score", exact),
    "flow 5%/±1 band, cost=score": lambda m: s_flow(m, "score", band),
    "flow exact, cost=rank^2": lambda m: s_flow(m, "rank^2", exact),
    "flow exact, cost=rank^4": lambda m: s_flow(m, "rank^4", exact),
    "flow exact, cost=exp(rank)": lambda m: s_flow(m, "exp1", exact),
    "flow 5%/±1 band, cost=rank^4": lambda m: s_flow(m, "rank^4", band),
    "CHBL cap=band max": s_chbl,
    "CHBL cap=ceil(avg)": lambda m: s_chbl(m, capf=lambda n: exact(n)[1]),
    "global greedy cap=band max": s_greedy_global,
    "HRW 2-choice": s_dchoice,
    "Maglev fill": s_maglev,
    "two-level G=8 buckets": s_twolevel,
    "two-level G=4 buckets": lambda m: s_twolevel(m, G=4),
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(SCHEMES)
    ns = [8, 16, 24, 32, 48, 64]; seeds = range(5)
    for name in names:
        t = time.time()
        rows = evaluate(SCHEMES[name], ns, seeds)
        for r in rows:
            print(f"{name}\t{r['n']}\t{r['add_max']:.2f}\t{r['add_mean']:.2f}\t{r['rem_max']:.2f}\t"
                  f"{r['rem_mean']:.2f}\t{'yes' if r['balance'] else 'NO'}\t{r['lmin']}-{r['lmax']}", flush=True)
        print(f"# {name}: {time.time() - t:.1f}s", flush=True)
