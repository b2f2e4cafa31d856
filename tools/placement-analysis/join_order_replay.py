"""Variant (c-lite): placement = pure function of the member set *plus each
member's join stamp* (e.g. (HLC time of join, id), gossiped with membership):
replay history_dependent.Ring.join for the members in stamp order, starting
from the first N.  Adding the newest member = one incremental join (~1.0x).
Removing member y = replay without y: how much moves?"""
import random, sys
import numpy as np
import history_dependent as H
import placement_lab as L
P, N = L.P, L.N

def replay(ordered):
    ring = H.Ring(ordered[:N]); ring.members = list(ordered[:N])
    ring.rep = [set(ordered[:N]) for _ in range(P)]
    for x in ordered[N:]: ring.join(x)
    return ring

def moved(r0, r1):
    return sum(len(b - a) for a, b in zip(r0.rep, r1.rep))

if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [8, 16, 32, 64]:
        adds, rems_rand, rems_old = [], [], []
        for s in range(5):
            rnd = random.Random(100 * n + s)
            order = [rnd.getrandbits(64) for _ in range(n + 1)]
            base = replay(order[:n]); grown = replay(order)
            adds.append(moved(base, grown) / (P * N / (n + 1)))
            y = rnd.randrange(N, n)   # a random member (not one of the first N)
            rems_rand.append(moved(base, replay(order[:y] + order[y + 1:n])) / (P * N / n))
            rems_old.append(moved(base, replay(order[1:n])) / (P * N / n))
        print(f"n={n}: add max {max(adds):.2f} | remove random member max {max(rems_rand):.2f} mean {np.mean(rems_rand):.2f}"
              f" | remove oldest member max {max(rems_old):.2f}", flush=True)
