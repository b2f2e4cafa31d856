"""Brute-force check of the formula used in canonical_bound.py:
for a partition keeping positions A (of m) and B (of m+1),
sum over insertion positions k of |B minus iota_k(A)| == sum_j w_j [j not in B]."""
import itertools, random
N = 3
random.seed(1)
for m in range(3, 12):
    for _ in range(300):
        A = sorted(random.sample(range(m), N)); B = set(random.sample(range(m + 1), N))
        direct = 0
        for k in range(m + 1):
            img = {a if a < k else a + 1 for a in A}
            direct += len(B - img)
        w = [0] * (m + 1)
        for a in A: w[a] += m - a; w[a + 1] += a + 1
        formula = sum(w[j] for j in range(m + 1) if j not in B)
        assert direct == formula, (m, A, B, direct, formula)
        assert direct >= N
# exact-minimal (def 0) canonical pairs are exactly "j lowest + N-j highest" at both sizes
for m in range(4, 10):
    zero = set()
    for A in itertools.combinations(range(m), N):
        for B in itertools.combinations(range(m + 1), N):
            tot = sum(len(set(B) - {a if a < k else a + 1 for a in A}) for k in range(m + 1))
            if tot == N: zero.add((A, B))
    expect = {(tuple(list(range(j)) + list(range(m - N + j, m))),
               tuple(list(range(j)) + list(range(m + 1 - N + j, m + 1)))) for j in range(N + 1)}
    assert zero == expect, (m, zero)
print("ok")
