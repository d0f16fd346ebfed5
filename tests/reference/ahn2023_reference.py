#!/usr/bin/env python3
"""Independent reference for bounds/ahn2023 (linear attention closed forms, Ahn et al. 2023).

Written from /work/shared/spec/ahn2023-linear-attention.md (sections 2.1-2.6) and from first
principles, NOT from the C++ headers. Every value is computed by a different route than the
headers use:
  * one-layer optimum: exact rational matrix algebra (fractions.Fraction, Gauss-Jordan) on
    f(C) = E tr((C S - I)^T Sigma (C S - I)), with the fourth moment K4 = E[|x|^2 x x^T] built
    entry by entry from Isserlis' theorem (Gaussian) or from the one-dimensional moments
    E x^2, E x^4 (cube U(-a,a)^d) or E r^2, E r^4 (radial laws); f* = min over C by the normal
    equations Sigma C G = Sigma^2, then f(C*) evaluated from the expanded quadratic;
  * Wishart trace moments E tr (X X^T)^k (X d x n standard Gaussian) as exact integers by
    Wick's theorem: a sum over all perfect matchings of the 2k entries of X (union-find on the
    row and column indices), for k = 0..6 (the spec gives closed forms for k <= 4 only);
  * multi-step GD optimum (L = 1, 2): the normal equations of the quadratic E tr p(S)^2 in the
    coefficients (p_1, .., p_L), solved exactly, and the steps as reciprocals of the roots of
    p from mpmath.polyroots (the headers use the Hankel inverse and the quadratic formula);
  * R(N, M): the matrix formula tr L - 2 tr(L G^{-1} L) + tr(G^{-1} L G^{-1} E[S_M^2]) with
    E[S_M^2] from Isserlis (the headers use the per-eigenvalue closed form);
  * Theorem 5's Q_0 = -1/((1/2)(n-1)/n + (d+2)/n) and [VO]'s eta* = -Q*, as fractions.
Loss convention: E(y_hat - y)^2, no 1/2.
Exact values are written as "p/q"; decimals with 55 significant digits (mp.dps = 70).

Usage: /usr/bin/python3 tests/reference/ahn2023_reference.py [output.json]
Default output: tests/data/ahn2023_reference.json. Exit status 1 on any self-check failure.
"""

import itertools
import json
import os
import sys
from fractions import Fraction as F

import mpmath
from mpmath import mp, mpf

mp.dps = 70
OUT_DIGITS = 55


def dec(x):
    if isinstance(x, F):
        x = mpf(x.numerator) / x.denominator
    return mpmath.nstr(x, OUT_DIGITS, min_fixed=1, max_fixed=0, strip_zeros=False)


def exact(x):
    return f"{x.numerator}/{x.denominator}"


def val(x):
    """A rational as {"exact": "p/q", "value": decimal}."""
    return {"exact": exact(x), "value": dec(x)}


def check(cond, msg):
    if not cond:
        raise SystemExit("self-check failed: " + msg)


# ---------- exact rational linear algebra ----------
def zeros(r, c):
    return [[F(0)] * c for _ in range(r)]


def eye(d):
    m = zeros(d, d)
    for i in range(d):
        m[i][i] = F(1)
    return m


def matmul(A, B):
    return [[sum((A[i][k] * B[k][j] for k in range(len(B))), F(0)) for j in range(len(B[0]))]
            for i in range(len(A))]


def transpose(A):
    return [list(r) for r in zip(*A)]


def add(A, B, a=F(1), b=F(1)):
    return [[a * x + b * y for x, y in zip(ra, rb)] for ra, rb in zip(A, B)]


def trace(A):
    return sum((A[i][i] for i in range(len(A))), F(0))


def solve(A, B):
    """A X = B exactly (Gauss-Jordan with pivot search)."""
    n = len(A)
    M = [list(A[i]) + list(B[i]) for i in range(n)]
    for k in range(n):
        p = next(i for i in range(k, n) if M[i][k] != 0)
        M[k], M[p] = M[p], M[k]
        piv = M[k][k]
        M[k] = [x / piv for x in M[k]]
        for i in range(n):
            if i != k and M[i][k] != 0:
                f = M[i][k]
                M[i] = [x - f * y for x, y in zip(M[i], M[k])]
    return [row[n:] for row in M]


def inverse(A):
    return solve(A, eye(len(A)))


# ---------- covariate moments (entry by entry) ----------
def gaussian_K4(Sig):
    """E[|x|^2 x_a x_b] = sum_c E[x_c x_c x_a x_b] = sum_c (S_cc S_ab + 2 S_ca S_cb) (Isserlis)."""
    d = len(Sig)
    return [[sum((Sig[c][c] * Sig[a][b] + 2 * Sig[c][a] * Sig[c][b] for c in range(d)), F(0))
             for b in range(d)] for a in range(d)]


def product_law_moments(d, m2, m4):
    """i.i.d. symmetric coordinates with E x^2 = m2, E x^4 = m4: Sigma = m2 I and
    E[|x|^2 x_a x_b] = delta_ab (m4 + (d-1) m2^2)."""
    Sig = [[m2 if a == b else F(0) for b in range(d)] for a in range(d)]
    K4 = [[(m4 + (d - 1) * m2 * m2) if a == b else F(0) for b in range(d)] for a in range(d)]
    return Sig, K4


def radial_law_moments(d, Er2, Er4):
    """x = r u, u uniform on the sphere: E[u u^T] = I/d, so Sigma = Er2/d I, K4 = Er4/d I."""
    Sig = [[Er2 / d if a == b else F(0) for b in range(d)] for a in range(d)]
    K4 = [[Er4 / d if a == b else F(0) for b in range(d)] for a in range(d)]
    return Sig, K4


def ES2(Sig, K4, n):
    """E[S^2], S = (1/n) sum x_i x_i^T: (1/n^2)(n K4 + n(n-1) Sigma^2)."""
    S2 = matmul(Sig, Sig)
    return add(K4, S2, F(1, n), F(n - 1, n))


def quadratic_loss(C, Sig, G):
    """f(C) = E tr((C S - I)^T Sigma (C S - I)) = tr Sig - tr(Sig C Sig) - tr(Sig C^T Sig) ... expanded:
    tr Sig - 2 tr(C Sig^2) + tr(C^T Sig C G)."""
    Ct = transpose(C)
    return (trace(Sig) - trace(matmul(Sig, matmul(C, Sig))) - trace(matmul(matmul(Sig, Ct), Sig))
            + trace(matmul(matmul(Ct, Sig), matmul(C, G))))


def one_layer(Sig, K4, n):
    G = ES2(Sig, K4, n)
    # normal equations: d f / dC = -2 Sig^2 + 2 Sig C G = 0  ->  C G = Sig  ->  C^T = G^{-1} Sig
    Cstar = transpose(solve(G, Sig))  # G symmetric
    f = quadratic_loss(Cstar, Sig, G)
    # the spec's closed form must agree exactly
    check(f == trace(Sig) - trace(matmul(inverse(G), matmul(Sig, matmul(Sig, Sig)))), "f* closed form")
    return G, Cstar, f


def mat_json(A):
    return [[dec(x) for x in row] for row in A]


def mat_exact(A):
    return [[exact(x) for x in row] for row in A]


# ---------- Wishart trace moments by Wick's theorem ----------
def perfect_matchings(items):
    if not items:
        yield []
        return
    a = items[0]
    for i in range(1, len(items)):
        b = items[i]
        rest = items[1:i] + items[i + 1:]
        for m in perfect_matchings(rest):
            yield [(a, b)] + m


class DSU:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, x):
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a, b):
        self.p[self.find(a)] = self.find(b)

    def classes(self):
        return len({self.find(x) for x in range(len(self.p))})


def wishart_trace_moment_poly(k):
    """E tr (X X^T)^k as {(#row classes, #col classes): count}: factors X[i_t, j_t] and
    X[i_{t+1}, j_t], t = 0..k-1; each Wick pair identifies the row and the column indices."""
    if k == 0:
        return None
    factors = []
    for t in range(k):
        factors.append((t, t))            # X[i_t, j_t]
        factors.append(((t + 1) % k, t))  # X[i_{t+1}, j_t]
    counts = {}
    for m in perfect_matchings(list(range(2 * k))):
        rows, cols = DSU(k), DSU(k)
        for a, b in m:
            rows.union(factors[a][0], factors[b][0])
            cols.union(factors[a][1], factors[b][1])
        key = (rows.classes(), cols.classes())
        counts[key] = counts.get(key, 0) + 1
    return counts


WICK = {k: wishart_trace_moment_poly(k) for k in range(1, 7)}


def wishart_trace(k, d, n):
    """E tr W^k, W ~ Wishart_d(n, I), exact integer."""
    if k == 0:
        return d
    return sum(c * d ** r * n ** s for (r, s), c in WICK[k].items())


def m_k(k, d, n):
    """E tr S^k, S = W/n."""
    return F(wishart_trace(k, d, n), n ** k)


def spec_wishart(k, d, n):
    """The spec's closed forms (2.4), only to self-check the Wick sums."""
    return {0: d, 1: n * d, 2: n * d * (n + d + 1),
            3: n * d * (n * n + 3 * n * d + d * d + 3 * n + 3 * d + 4),
            4: n * d * (n ** 3 + 6 * n * n * d + 6 * n * d * d + d ** 3 + 6 * n * n + 17 * n * d
                        + 6 * d * d + 21 * n + 21 * d + 20)}[k]


# ---------- multi-step GD ----------
def multistep(d, n, L):
    m = [m_k(k, d, n) for k in range(2 * L + 1)]
    # f(p) = sum_{i,j} p_i p_j m_{i+j}, p_0 = 1: normal equations sum_j m_{i+j} p_j = -m_i, i = 1..L
    A = [[m[i + j] for j in range(1, L + 1)] for i in range(1, L + 1)]
    b = [[-m[i]] for i in range(1, L + 1)]
    p = [F(1)] + [r[0] for r in solve(A, b)]
    loss = sum(p[i] * p[j] * m[i + j] for i in range(L + 1) for j in range(L + 1))
    # p(mu) = prod (1 - a mu): a = 1/roots of p
    roots = mpmath.polyroots([mpf(c.numerator) / c.denominator for c in reversed(p)], maxsteps=200,
                             extraprec=200)
    steps = sorted(1 / mpmath.re(r) for r in roots)
    for r in roots:
        check(abs(mpmath.im(r)) < mpf(10) ** -60, "complex root")
    return loss, steps, p


def gd_loss(d, n, steps):
    p = [F(1)]
    for a in steps:
        q = [F(0)] * (len(p) + 1)
        for j, c in enumerate(p):
            q[j] += c
            q[j + 1] -= a * c
        p = q
    return sum(p[i] * p[j] * m_k(i + j, d, n) for i in range(len(p)) for j in range(len(p)))


# ---------- ZFB test length ----------
def zfb(lams, N, M):
    d = len(lams)
    Lam = [[lams[a] if a == b else F(0) for b in range(d)] for a in range(d)]
    T = trace(Lam)
    Gam = add(Lam, eye(d), F(N + 1, N), T / N)
    Gi = inverse(Gam)
    SM2 = ES2(Lam, gaussian_K4(Lam), M)
    # y_hat - y = x_q^T (Gi S_M - I) w
    R = trace(Lam) - 2 * trace(matmul(Lam, matmul(Gi, Lam))) + trace(matmul(matmul(Gi, Lam), matmul(Gi, SM2)))
    lim = trace(Lam) - 2 * trace(matmul(Lam, matmul(Gi, Lam))) + trace(matmul(matmul(Gi, Lam), matmul(Gi, matmul(Lam, Lam))))
    bound = F(d + 1) * T / M + (T + 2 * d * T + sum(1 / l for l in lams) * T * T) / (N * N)
    return R, lim, bound


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "ahn2023_reference.json")
    ref = {"generator": "tests/reference/ahn2023_reference.py", "mpmath": mpmath.__version__,
           "loss_convention": "E(y_hat - y)^2, no 1/2", "digits": OUT_DIGITS}

    # Wishart: Wick sums vs the spec's closed forms (k <= 4)
    wish = []
    for d, n in [(1, 1), (2, 3), (3, 7), (5, 5), (5, 20), (10, 10), (7, 2)]:
        ks = {}
        for k in range(0, 7):
            w = wishart_trace(k, d, n)
            if k <= 4:
                check(w == spec_wishart(k, d, n), f"Wick vs spec closed form k={k} d={d} n={n}")
            ks[str(k)] = {"E_tr_W": str(w), "m": val(m_k(k, d, n))}
        wish.append({"d": d, "n": n, "moments": ks})
    ref["wishart"] = wish
    ref["wishart_wick_coefficients"] = {
        str(k): {f"d^{r} n^{s}": c for (r, s), c in sorted(WICK[k].items())} for k in range(1, 7)}

    # Theorem 1 (diagonal Sigma, Gaussian), via the matrix route
    t1 = []
    for lams, n in [([1] * 5, 20), ([1] * 5, 5), ([1] * 10, 10), ([1] * 5, 1),
                    ([1, 1, F(1, 4), F(1, 16), 1], 20), ([1, 1, F(1, 4), F(1, 16), 1], 5),
                    ([F(3), F(1, 2), F(7, 5)], 7), ([F(2)], 3)]:
        lams = [F(x) for x in lams]
        d = len(lams)
        Sig = [[lams[a] if a == b else F(0) for b in range(d)] for a in range(d)]
        G, Cstar, f = one_layer(Sig, gaussian_K4(Sig), n)
        t1.append({"lambda": [exact(x) for x in lams], "n": n, "loss": val(f),
                   "gamma_inverse": [val(Cstar[i][i]) for i in range(d)]})  # C* = Gamma_n^{-1} (Q* = -C*)
    ref["theorem1"] = t1

    # general Gaussian one-layer optimum, non-diagonal Sigma = B B^T / 10
    B = [[F(x) for x in r] for r in [[2, 1, 0, -1], [0, 1, 3, 1], [1, -2, 1, 0], [1, 0, 0, 2]]]
    Sig = [[x / 10 for x in r] for r in matmul(B, transpose(B))]
    G, Cstar, f = one_layer(Sig, gaussian_K4(Sig), 6)
    Ctest = [[F(x, 7) for x in r] for r in [[3, -1, 2, 0], [1, 4, 0, -2], [0, 2, 5, 1], [-3, 0, 1, 6]]]
    fC = quadratic_loss(Ctest, Sig, G)
    check(fC > f, "f(C) > f*")
    ref["general_gaussian"] = {"Sigma": mat_exact(Sig), "n": 6, "loss": val(f), "G": mat_json(G),
                               "C_star": mat_json(Cstar), "C": mat_exact(Ctest), "loss_at_C": val(fC)}

    # radial and cube laws (isotropic moments)
    rad = []
    # (law, parameter, d, n, moments, s = E r^2/d, m4 = E r^4); gamma(k, theta): E r^2 = k theta,
    # E r^4 = k (k+1) theta^2; cube U(-a,a): E x^2 = a^2/3, E x^4 = a^4/5; N(0,1): 1, 3.
    def gam(d, k, th):
        return radial_law_moments(d, k * th, k * (k + 1) * th * th)
    cases = [
        ("sphere", {}, 5, 20, radial_law_moments(5, F(1), F(1)), F(1, 5), F(1)),
        ("gamma", {"k": "1/10", "theta": "10"}, 5, 20, gam(5, F(1, 10), F(10)), F(1, 5), F(11)),
        ("gamma", {"k": "5/2", "theta": "2"}, 5, 20, gam(5, F(5, 2), F(2)), F(1), F(35)),
        ("gaussian", {}, 5, 20, product_law_moments(5, F(1), F(3)), F(1), F(35)),
        ("cube", {"a": "1"}, 10, 10, product_law_moments(10, F(1, 3), F(1, 5)), F(1, 3), F(12)),
        ("cube", {"a": "1/2"}, 10, 10, product_law_moments(10, F(1, 12), F(1, 80)), F(1, 12), F(3, 4)),
        ("sphere", {}, 3, 4, radial_law_moments(3, F(1), F(1)), F(1, 3), F(1)),
        ("gamma", {"k": "3/10", "theta": "2"}, 4, 9, gam(4, F(3, 10), F(2)), F(3, 20), F(39, 25)),
    ]
    for name, par, d, n, (S_, K4), s, m4 in cases:
        check(S_[0][0] == s and trace(K4) == m4, f"radial moments {name}")
        G, Cstar, f = one_layer(S_, K4, n)
        rad.append({"law": name, "params": par, "d": d, "n": n, "s": exact(s), "m4": exact(m4),
                    "loss": val(f), "q_star": val(-Cstar[0][0]), "f0": val(trace(S_))})
    ref["radial"] = rad

    # multi-step GD
    ms = []
    for d, n in [(5, 20), (5, 5), (10, 10), (3, 7), (1, 4)]:
        for L in (1, 2):
            loss, steps, p = multistep(d, n, L)
            check(loss <= gd_loss(d, n, [F(1, 2)] * L), "optimum <= loss at other steps")
            ms.append({"d": d, "n": n, "L": L, "loss": val(loss), "steps": [dec(a) for a in steps],
                       "p": [exact(c) for c in p]})
    ref["multistep"] = ms
    ref["multistep_loss_at"] = [
        {"d": d, "n": n, "steps": [exact(a) for a in st], "loss": val(gd_loss(d, n, st))}
        for d, n, st in [(5, 20, [F(1, 2), F(5, 4)]), (5, 5, [F(1, 3)]), (3, 7, [F(2), F(1, 10)]), (4, 4, [])]]

    # ZFB R(N, M)
    z = []
    for lams in ([F(1)] * 5, [F(1), F(1), F(1, 4), F(1, 16), F(1)], [F(3), F(1, 2), F(7, 5)]):
        for N, M in [(20, 5), (20, 10), (20, 20), (20, 100), (5, 50), (50, 7), (1, 1), (10, 1000)]:
            R, lim, bound = zfb(lams, N, M)
            check(bound >= R, "Corollary 4.3 bound >= R")
            z.append({"lambda": [exact(x) for x in lams], "N": N, "M": M, "R": val(R), "limit": val(lim),
                      "corollary43": val(bound)})
    ref["zfb"] = z

    # Theorem 5, VO
    ref["theorem5"] = [{"d": d, "n": n, "q0": val(-1 / (F(1, 2) * F(n - 1, n) + F(d + 2, n)))}
                       for d, n in [(5, 20), (5, 5), (10, 10), (1, 1), (3, 100)]]
    # [VO]: the trained isotropic Gaussian optimum is one GD step with eta* = C*_11
    ref["vo"] = [{"d": d, "n": n, "eta": val(one_layer(*product_law_moments(d, F(1), F(3)), n)[1][0][0])}
                 for d, n in [(5, 20), (10, 10), (2, 3)]]

    with open(out_path, "w") as fh:
        json.dump(ref, fh, indent=1)
        fh.write("\n")
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
