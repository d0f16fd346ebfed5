#!/usr/bin/env python3
"""Independent reference for bounds/lavie2024 (S_L representation theory of the reconstructed
Transformer NNGP kernels; spec /work/shared/spec/lavie2024-transformer-gp-limit.md sections 1.3,
2.2-2.4 and 3).

Written from the spec and from first principles, NOT from the C++ headers. Routes differ from
the headers wherever a different route exists:
  * f^lambda: number of standard Young tableaux by the branching recursion (remove a corner),
    not the hook-length formula;
  * s_lambda(1^V): number of semistandard tableaux with entries in 1..V, counted as chains of
    horizontal strips, not the hook-content formula;
  * characters chi^lambda(mu): Frobenius' formula, the coefficient of x^(lambda + delta) in
    a_delta(x) p_mu(x) extracted from a sympy polynomial (in l(lambda) variables; for lambda with
    more rows than columns through chi^lambda' = sgn(mu) chi^lambda), not Murnaghan-Nakayama;
  * kernels K(x, y) from the literal definitions (Hamming agreement times bag overlap from the
    histograms), NOT as polynomials in h, B; E_x K(x, sigma x) by enumerating [V]^L with
    fractions.Fraction; isotypic traces by the explicit sum over all L! permutations (no union
    find, no class sums); the trace formula itself is also checked in floating point against
    trace(P_lambda T) with explicit projector matrices;
  * closed-form spectra (spec 2.3): numpy eigvalsh of the full V^L x V^L operator T = K/N, split
    into isotypic components with explicit projectors; the [L] block of candidate A at V = 2 by
    brute-force class sums, its power traces tr(M^j) exactly;
  * eigenlearning: kappa by mpmath.findroot (Anderson's method on a bracket) at 60 digits.
The script checks the spec's closed forms itself and exits 1 if one of them fails.
Exact values are written as "p/q"; decimals with 40 significant digits (mp.dps = 60).

Usage: /usr/bin/python3 tests/reference/lavie2024_reference.py [output.json]
Default output: tests/data/lavie2024_reference.json.
"""

import functools
import itertools
import json
import math
import os
import sys
from fractions import Fraction as F

import mpmath
import numpy as np
import sympy
from mpmath import mp, mpf

mp.dps = 60
OUT_DIGITS = 40


def frac(x):
    x = F(x)
    return f"{x.numerator}/{x.denominator}" if x.denominator != 1 else str(x.numerator)


def dec(x):
    return mpmath.nstr(mpf(x), OUT_DIGITS, min_fixed=1, max_fixed=0)


def partitions(n, max_part=None):
    if max_part is None:
        max_part = n
    if n == 0:
        yield ()
        return
    for part in range(min(n, max_part), 0, -1):
        for rest in partitions(n - part, part):
            yield (part,) + rest


def conjugate(lam):
    return tuple(sum(1 for r in lam if r > j) for j in range(lam[0])) if lam else ()


# ---- f^lambda: standard tableaux by branching ------------------------------------------------
@functools.lru_cache(maxsize=None)
def count_syt(lam):
    if sum(lam) == 0:
        return 1
    total = 0
    for i, row in enumerate(lam):
        below = lam[i + 1] if i + 1 < len(lam) else 0
        if row > below:  # (i, row-1) is a removable corner
            smaller = list(lam)
            smaller[i] -= 1
            total += count_syt(tuple(r for r in smaller if r > 0))
    return total


# ---- s_lambda(1^V): semistandard tableaux as chains of horizontal strips ---------------------
def horizontal_strip_subshapes(lam):
    """All nu inside lam with lam/nu a horizontal strip (lam_{i+1} <= nu_i <= lam_i)."""
    ranges = []
    for i, row in enumerate(lam):
        below = lam[i + 1] if i + 1 < len(lam) else 0
        ranges.append(range(below, row + 1))
    for nu in itertools.product(*ranges):
        yield tuple(r for r in nu if r > 0)


@functools.lru_cache(maxsize=None)
def count_ssyt(lam, V):
    if sum(lam) == 0:
        return 1
    if V == 0:
        return 0
    return sum(count_ssyt(nu, V - 1) for nu in horizontal_strip_subshapes(lam))


# ---- characters by Frobenius' formula --------------------------------------------------------
def cycle_sign(mu):
    return (-1) ** sum(m - 1 for m in mu)


@functools.lru_cache(maxsize=None)
def frobenius_character(lam, mu):
    if len(lam) > lam[0]:  # fewer variables for the conjugate: chi^lam(mu) = sgn(mu) chi^lam'(mu)
        return cycle_sign(mu) * frobenius_character(conjugate(lam), mu)
    n = len(lam)
    xs = sympy.symbols(f"x0:{n}")
    vandermonde = sympy.Poly(sympy.prod([xs[i] - xs[j] for i in range(n) for j in range(i + 1, n)]) if n > 1 else 1,
                             *xs)
    power_sum = sympy.Poly(1, *xs)
    for part in mu:
        power_sum = power_sum * sympy.Poly(sum(x ** part for x in xs), *xs)
    product = vandermonde * power_sum
    exponent = tuple(lam[i] + (n - 1 - i) for i in range(n))
    return int(product.coeff_monomial(exponent))


def cycle_type(perm):
    seen = [False] * len(perm)
    mu = []
    for i in range(len(perm)):
        if not seen[i]:
            length = 0
            j = i
            while not seen[j]:
                seen[j] = True
                j = perm[j]
                length += 1
            mu.append(length)
    return tuple(sorted(mu, reverse=True))


# ---- kernels from the literal definitions (spec 1.3 table) ----------------------------------
def kernel_value(kernel, x, y, V):
    L = len(x)
    h = sum(1 for a, b in zip(x, y) if a == b)
    nx = [x.count(v) for v in range(V)]
    ny = [y.count(v) for v in range(V)]
    bag = sum(a * b for a, b in zip(nx, ny))
    if kernel == "A":
        return F(h * bag, L * V ** 3)
    if kernel == "C":
        return F(bag * bag, L * L * V ** 3)
    if kernel == "D":
        return F((h + L) * (bag + L + 2 * h), 8 * L)
    raise ValueError(kernel)


def act(sigma, x):
    """(sigma x)_m = x_{sigma^{-1}(m)}: the token at position i moves to position sigma(i)."""
    y = [None] * len(x)
    for i, t in enumerate(x):
        y[sigma[i]] = t
    return tuple(y)


def space(V, L):
    return [tuple(t) for t in itertools.product(range(V), repeat=L)]


def brute_traces(kernel, V, L):
    xs = space(V, L)
    N = len(xs)
    perms = list(itertools.permutations(range(L)))
    lams = list(partitions(L))
    per_sigma = {}
    for sigma in perms:
        per_sigma[sigma] = sum(kernel_value(kernel, x, act(sigma, x), V) for x in xs) / N
    by_type = {}
    for sigma, v in per_sigma.items():
        by_type.setdefault(cycle_type(sigma), set()).add(v)
    for mu, vals in by_type.items():
        assert len(vals) == 1, ("E K(x, sigma x) is not a class function", kernel, V, L, mu)
    lfact = math.factorial(L)
    iso = {}
    for lam in lams:
        s = sum(frobenius_character(lam, cycle_type(sigma)) * v for sigma, v in per_sigma.items())
        iso[lam] = F(count_syt(lam), lfact) * s
    op = sum(kernel_value(kernel, x, x, V) for x in xs) / N
    assert sum(iso.values()) == op, ("sum of isotypic traces != Tr T", kernel, V, L)
    return op, iso, {mu: next(iter(vals)) for mu, vals in by_type.items()}


# ---- full-space numerics --------------------------------------------------------------------
def full_operator(kernel, V, L):
    xs = space(V, L)
    N = len(xs)
    T = np.array([[float(kernel_value(kernel, x, y, V)) for y in xs] for x in xs]) / N
    return xs, T


def projector(lam, V, L, xs):
    index = {x: i for i, x in enumerate(xs)}
    N = len(xs)
    P = np.zeros((N, N))
    for sigma in itertools.permutations(range(L)):
        chi = frobenius_character(lam, cycle_type(sigma))
        if chi == 0:
            continue
        rows = np.arange(N)
        # (R_sigma f)(x) = f(sigma^{-1} x): R_sigma[x, sigma^{-1} x] = 1
        sigma_inv = [0] * L
        for i, s in enumerate(sigma):
            sigma_inv[s] = i
        cols = np.array([index[act(sigma_inv, x)] for x in xs])
        P[rows, cols] += chi
    return P * count_syt(lam) / math.factorial(L)


def clusters(values, tol):
    values = sorted(values, reverse=True)
    out = []
    for v in values:
        if out and abs(out[-1][0] - v) <= tol * max(1.0, abs(v)):
            out[-1][1] += 1
        else:
            out.append([v, 1])
    return out


def check(cond, message, failures):
    if not cond:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "lavie2024_reference.json")
    failures = []
    ref = {"source": "tests/reference/lavie2024_reference.py (independent; see its docstring)"}

    # f^lambda for L <= 14; s_lambda(1^V) for V <= 5, L <= 8; characters for L <= 8
    ref["irrep_dimensions"] = [{"lambda": list(lam), "f": str(count_syt(lam))}
                               for L in range(1, 15) for lam in partitions(L)]
    ref["schur_at_ones"] = [{"lambda": list(lam), "V": V, "value": str(count_ssyt(lam, V))}
                            for V in range(1, 6) for L in range(1, 9) for lam in partitions(L)]
    for V in range(1, 6):
        for L in range(1, 9):
            check(sum(count_syt(lam) * count_ssyt(lam, V) for lam in partitions(L)) == V ** L,
                  f"sum f s(1^{V}) != {V}^{L}", failures)
    ref["characters"] = [{"lambda": list(lam), "mu": list(mu), "chi": str(frobenius_character(lam, mu))}
                         for L in range(1, 9) for lam in partitions(L) for mu in partitions(L)]
    for L in range(1, 9):  # row orthogonality (sum over classes with |C_mu|) as a self-check
        for lam in partitions(L):
            norm = sum(math.factorial(L) // z(mu) * frobenius_character(lam, mu) ** 2 for mu in partitions(L))
            check(norm == math.factorial(L), f"character norm of {lam}", failures)

    # exact traces by enumeration of [V]^L and all of S_L
    ref["traces"] = []
    for kernel, V, L in [("A", 2, 5), ("A", 3, 4), ("A", 3, 5), ("A", 4, 4), ("A", 2, 6), ("C", 2, 5),
                         ("C", 3, 4), ("C", 2, 6), ("D", 2, 5), ("D", 3, 4), ("D", 3, 5), ("D", 4, 4),
                         ("D", 2, 6)]:
        op, iso, per_type = brute_traces(kernel, V, L)
        ref["traces"].append({
            "kernel": kernel, "V": V, "L": L, "operator_trace": frac(op),
            "isotypic": [{"lambda": list(lam), "trace": frac(t)} for lam, t in iso.items()],
            "expected_permuted": [{"mu": list(mu), "value": frac(v)} for mu, v in sorted(per_type.items())]})
        print(f"traces {kernel} V={V} L={L}: Tr T = {op}", file=sys.stderr)

    # the trace formula in floating point against explicit projectors (and their ranks f s(1^V))
    for kernel, V, L in [("A", 3, 4), ("D", 3, 5), ("D", 2, 6)]:
        xs, T = full_operator(kernel, V, L)
        _, iso, _ = brute_traces(kernel, V, L)
        for lam in partitions(L):
            P = projector(lam, V, L, xs)
            check(abs(np.trace(P @ T) - float(iso[lam])) <= 1e-10 * max(1.0, abs(float(iso[lam]))),
                  f"trace formula {kernel} V={V} L={L} {lam}", failures)
            check(abs(np.trace(P) - count_syt(lam) * count_ssyt(lam, V)) <= 1e-8, f"rank P {lam}", failures)

    # candidate A at V = 2: spectrum by diagonalisation, split by irrep; the spec's closed forms
    ref["kernel_A_V2"] = []
    for L in range(2, 11):
        xs, T = full_operator("A", 2, L)
        ev = np.linalg.eigvalsh(T)
        nonzero = [v for v in ev if abs(v) > 1e-12]
        entry = {"L": L, "eigenvalues": [{"value": repr(v), "multiplicity": m} for v, m in clusters(nonzero, 1e-9)]}
        s = F(L ** 3 + 3 * L - 2, 4 * L)
        p = F(L * (L - 1), 8)
        disc = float(s * s - 4 * p)
        spec = [L / 2, (float(s) + math.sqrt(disc)) / 2, (float(s) - math.sqrt(disc)) / 2] + \
               [L / 4] * (L - 1) + [(L - 2) / (4 * L)] * (L - 1)
        spec = sorted([v / 8 for v in spec if v / 8 > 1e-12], reverse=True)
        got = sorted(nonzero, reverse=True)
        check(len(spec) == len(got) and max(abs(a - b) for a, b in zip(spec, got)) < 1e-12,
              f"spec 2.3 closed form of A at V=2, L={L}", failures)
        if L <= 7:  # per-irrep eigenvalues from the projected operator
            for lam in [(L,), (L - 1, 1)]:
                P = projector(lam, 2, L, xs)
                evl = [v for v in np.linalg.eigvalsh(P @ T @ P) if abs(v) > 1e-12]
                entry.setdefault("irrep_eigenvalues", []).append(
                    {"lambda": list(lam), "values": [repr(v) for v in sorted(evl, reverse=True)]})
        # the [L] block in histogram classes, by brute-force class sums, and tr(M^j)
        if L <= 8:
            classes = [[x for x in xs if sum(x) == k] for k in range(L + 1)]
            M = [[sum(kernel_value("A", classes[k][0], y, 2) for y in classes[kp]) / 2 ** L for kp in range(L + 1)]
                 for k in range(L + 1)]
            for k in range(L + 1):  # class function in x: every representative gives the same row
                for x in classes[k][1:3]:
                    check(all(sum(kernel_value("A", x, y, 2) for y in classes[kp]) / 2 ** L == M[k][kp]
                              for kp in range(L + 1)), "class sum depends on the representative", failures)
            power = [[F(int(i == j)) for j in range(L + 1)] for i in range(L + 1)]
            traces = []
            for _ in range(L + 1):
                power = [[sum(power[i][m] * M[m][j] for m in range(L + 1)) for j in range(L + 1)] for i in range(L + 1)]
                traces.append(frac(sum(power[i][i] for i in range(L + 1))))
            entry["block"] = [[frac(v) for v in row] for row in M]
            entry["block_power_traces"] = traces
        ref["kernel_A_V2"].append(entry)
        print(f"kernel A V=2 L={L}: {len(nonzero)} nonzero eigenvalues", file=sys.stderr)

    # candidate D: the eigenvalues of T on [L-2,2] and [L-2,1,1]
    ref["kernel_D_two_row"] = []
    for V, L in [(2, 4), (2, 5), (2, 6), (2, 7), (3, 4), (3, 5), (4, 4)]:
        xs, T = full_operator("D", V, L)
        for lam in [(L - 2, 2), (L - 2, 1, 1)]:
            if len(lam) > V:
                continue
            P = projector(lam, V, L, xs)
            evl = [v for v in np.linalg.eigvalsh(P @ T @ P) if abs(v) > 1e-12]
            cl = clusters(evl, 1e-9)
            check(len(cl) == 1 and abs(cl[0][0] - 1 / (2 * V * V * L)) < 1e-13,
                  f"spec 2.3 D two-row eigenvalue V={V} L={L} {lam}: {cl}", failures)
            ref["kernel_D_two_row"].append({"V": V, "L": L, "lambda": list(lam),
                                            "eigenvalues": [{"value": repr(v), "multiplicity": m} for v, m in cl]})
        print(f"kernel D V={V} L={L} done", file=sys.stderr)

    # eigenlearning and EK (spec 3) for a few spectra
    def groups_a_v2(L, top_weight):
        s = F(L ** 3 + 3 * L - 2, 4 * L)
        p = F(L * (L - 1), 8)
        sq = mpmath.sqrt(mpf(s.numerator) ** 2 / mpf(s.denominator) ** 2 - 4 * mpf(p.numerator) / p.denominator)
        sm = mpf(s.numerator) / s.denominator
        return [(mpf(L) / 2 / 8, 1, 0), ((sm + sq) / 2 / 8, 1, 0), ((sm - sq) / 2 / 8, 1, 0),
                (mpf(L) / 4 / 8, L - 1, top_weight), (mpf(L - 2) / (4 * L) / 8, L - 1, 0)]

    cases = [
        ("A_V2_L6_top_[5,1]", groups_a_v2(6, 1), mpf(1), mpf(0), mpf(20)),
        ("A_V2_L6_noisy", groups_a_v2(6, 1), mpf("0.1"), mpf("0.05"), mpf(5)),
        ("A_V2_L12_ridgeless", groups_a_v2(12, 1), mpf(0), mpf(0), mpf(7)),
        ("power_law", [(mpf(1) / (k * k), 1, mpf(1) / (k * k)) for k in range(1, 60)], mpf("0.01"), mpf("0.1"),
         mpf(10)),
        ("degenerate_mix", [(mpf("0.5"), 3, mpf("0.2")), (mpf("0.02"), 40, mpf("0.5")), (mpf(0), 100, mpf("0.3"))],
         mpf("0.3"), mpf("0.2"), mpf(15)),
    ]
    ref["eigenlearning"] = []
    for name, groups, delta, eps2, P in cases:
        def residual(kappa):
            return sum(m * lam / (lam + kappa) for lam, m, _ in groups) + delta / kappa - P
        lo = delta / P if delta > 0 else mpf("1e-30")
        hi = (sum(m * lam for lam, m, _ in groups) + delta) / P
        kappa = mpmath.findroot(residual, (lo, hi), solver="anderson")
        check(abs(residual(kappa)) < mpf("1e-45") * P, f"findroot residual {name}", failures)
        learn = [lam / (lam + kappa) for lam, _, _ in groups]
        e0 = P / (P - sum(m * l * l for (_, m, _), l in zip(groups, learn)))
        bias = sum((1 - l) ** 2 * w for (_, _, w), l in zip(groups, learn))
        test = e0 * (bias + eps2)
        train = (delta / (P * kappa)) ** 2 * test
        case = {"name": name, "groups": [[dec(lam), dec(m), dec(w)] for lam, m, w in groups], "delta": dec(delta),
                "eps2": dec(eps2), "P": dec(P), "kappa": dec(kappa), "e0": dec(e0), "test_mse": dec(test),
                "train_mse": dec(train), "learnability": [dec(l) for l in learn]}
        if delta > 0:
            k_ek = delta / P
            l_ek = [lam / (lam + k_ek) for lam, _, _ in groups]
            ek_test = sum((1 - l) ** 2 * w for (_, _, w), l in zip(groups, l_ek)) + eps2
            check(ek_test <= test, f"EK test <= eigenlearning test {name}", failures)
            case["ek_test_mse"] = dec(ek_test)
            case["ek_learnability"] = [dec(l) for l in l_ek]
        ref["eigenlearning"].append(case)

    if failures:
        print(f"{len(failures)} self-check failure(s)", file=sys.stderr)
        sys.exit(1)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as fh:
        json.dump(ref, fh, indent=1)
        fh.write("\n")
    print(f"wrote {out_path}", file=sys.stderr)


def z(mu):
    r = 1
    for part in set(mu):
        m = mu.count(part)
        r *= part ** m * math.factorial(m)
    return r


if __name__ == "__main__":
    main()
