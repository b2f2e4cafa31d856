"""Looser balance: how much movement does each load band buy?  (P=256, N=3)"""
import math, sys, time
import numpy as np
import placement_lab as L

def sym(t):   # loads within +-t of the ideal (or +-1, whichever is looser)
    def f(n):
        ideal = L.P * L.N / n; tol = max(t * ideal, 1.0)
        return math.ceil(ideal - tol - 1e-9), math.floor(ideal + tol + 1e-9)
    f.__name__ = f"+-{int(t*100)}%"; return f

def cap_only(e):  # only an upper bound ceil((1+e)*ideal); no lower bound
    def f(n):
        ideal = L.P * L.N / n
        return 0, max(math.ceil((1 + e) * ideal - 1e-9), -(-L.P * L.N // n))
    f.__name__ = f"<= (1+{int(e*100)}%)"; return f

if __name__ == "__main__":
    ns = [16, 24, 32, 48, 64]; seeds = range(5)
    runs = []
    for t in (0.10, 0.15, 0.25):
        runs.append((f"flow band {sym(t).__name__}", (lambda b: (lambda m: L.s_flow(m, 'score', b)))(sym(t)), sym(t)))
    for e in (0.10, 0.25, 0.50):
        runs.append((f"flow cap only {cap_only(e).__name__}", (lambda b: (lambda m: L.s_flow(m, 'score', b)))(cap_only(e)), cap_only(e)))
        runs.append((f"CHBL cap {cap_only(e).__name__}", (lambda b: (lambda m: L.s_chbl(m, capf=lambda n: b(n)[1])))(cap_only(e)), cap_only(e)))
    runs.append(("flow exact, cost=-log(1-u)", lambda m: L.s_flow(m, '-log', L.exact), L.exact))
    for name, fn, b in runs:
        t0 = time.time()
        for r in L.evaluate(fn, ns, seeds, bandcheck=b):
            print(f"{name}\t{r['n']}\t{r['add_max']:.2f}\t{r['add_mean']:.2f}\t{r['rem_max']:.2f}\t"
                  f"{r['rem_mean']:.2f}\t{'yes' if r['balance'] else 'NO'}(own band)\t{r['lmin']}-{r['lmax']}", flush=True)
        print(f"# {name}: {time.time()-t0:.1f}s", flush=True)
