#!/usr/bin/env python3
"""Independent reference for bounds/li2024 (SignGD on the reconstructed two-layer Transformer of
Li et al. 2024; spec /work/shared/spec/li2024-signgd-two-layer-transformer.md sections 1, 4, 6).

Written from the spec and from first principles, NOT from the C++ headers. Routes differ from
the headers wherever a different route exists:
  * T_1: exact rational SIMULATION of the per-step law A_i^(t+1) = A_i^(t) - 2 eta (||xi_i||_1 -
    ||mu||_1) (fractions.Fraction), stepping until every A_i < 0 (the headers use a floor formula);
  * Stage II pair alignment: the continuous time min(|q0|,|k0|)/(eta ||xi||_1) as a fraction, plus
    a rational simulation of the two coupled sign moves (q toward sgn k, k toward sgn q) that
    counts the steps until the signs agree (must be floor(time) + 1 or time itself, see NOTES.md);
  * miss probability: math.comb(d-1-touched, s) / math.comb(d-1, s) exactly (the headers use a
    product of s ratios);
  * E||xi||_1: s times 2 int_0^inf x phi_sigma(x) dx by mpmath quadrature (the headers use
    s sigma_p sqrt(2/pi)); E||xi||_2^2 by quadrature of x^2 phi_sigma;
  * GD rate ratio: one GD step of the mean value vector v computed from the spec's explicit value
    gradient on a small explicit data set with disjoint supports (balanced early phase
    l'_i = -1/2, softmax 1/2), the ratio Delta<v,mu> / Delta<v,y_i xi_i> formed exactly;
  * test-loss lower bound: mpmath log1p(exp(-a)) at 70 digits, plus an EXACT check of the bound's
    derivation on a small explicit instance: the expectation E g(|z|) over every s-subset of the
    untouched coordinates (enumerated) and the Gaussian values (quadrature) must be >= the
    Jensen bound g(sqrt(E z^2)) that the headers compute.
Exact values are written as "p/q"; decimals with 55 significant digits (mp.dps = 70).

Usage: /usr/bin/python3 tests/reference/li2024_reference.py [output.json]
Default output: tests/data/li2024_reference.json. Exit status 1 on any self-check failure.
"""

import itertools
import json
import math
import os
import sys
from fractions import Fraction as F

import mpmath
from mpmath import mp, mpf

mp.dps = 70
OUT_DIGITS = 55


def to_mpf(x):
    if isinstance(x, str):
        x = F(x)
    if isinstance(x, F):
        return mpf(x.numerator) / x.denominator
    return mpf(x)


def dec(x):
    return mpmath.nstr(to_mpf(x), OUT_DIGITS, min_fixed=1, max_fixed=0, strip_zeros=False)


def val(x):
    """A rational as {"exact": "p/q", "value": decimal}; an mpf as {"value": decimal}."""
    if isinstance(x, F):
        return {"exact": f"{x.numerator}/{x.denominator}", "value": dec(x)}
    return {"value": dec(x)}


def check(cond, msg):
    if not cond:
        print("self-check failed: " + msg, file=sys.stderr)
        sys.exit(1)


def sgn(x):
    return (x > 0) - (x < 0)


# ------------------------------------------------------------------ Stage I: T_1 by simulation

def t1_by_simulation(A0, xi, mu, eta, limit=200000):
    A = list(A0)
    t = 0
    while not all(a < 0 for a in A):
        A = [a - 2 * eta * (x - mu) for a, x in zip(A, xi)]
        t += 1
        check(t <= limit, "T_1 simulation did not end")
    return t


def stage1_cases():
    # (A0 list, xi_l1 list, mu_l1, eta) as decimal strings. The first cases are exact in binary
    # (so double must reproduce T_1 exactly); "0.3" / "0.1" style cases are exact only as decimals.
    cases = [
        (["0.5", "-1", "0"], ["3", "3", "3"], "1", "0.125"),          # A0 = 1 step exactly -> 2; A0 = 0 -> 1
        (["-0.25", "-3"], ["5", "2"], "1", "0.5"),                     # all negative already -> 0
        (["0.75", "1.5", "0.0625"], ["41.25", "40", "42.5"], "1", "0.0009765625"),
        (["0.01", "0.02", "0.003", "-0.004"], ["41.2", "39.7", "44.1", "40.0"], "1", "0.001"),
        (["1.6e-3", "2.1e-3", "9.0e-4"], ["12.5", "10.25", "11"], "2.5", "0.0001"),
        (["0.5", "0.37", "-0.2"], ["10.3", "9.9", "11.1"], "1", "0.0003"),
        (["7", "3"], ["2", "1.5"], "1", "0.25"),                       # A0 = 7 = 14 steps of 0.5 exactly -> 15
        (["0.3"], ["2"], "1.5", "0.1"),                                 # decimal exact multiple: 0.3/0.1 = 3 -> 4
    ]
    out = []
    for A0s, xis, mus, etas in cases:
        A0 = [F(a) for a in A0s]
        xi = [F(x) for x in xis]
        mu = F(mus)
        eta = F(etas)
        T1 = t1_by_simulation(A0, xi, mu, eta)
        binary = all(F(float(F(x))) == F(x) for x in A0s + xis + [mus, etas])
        exact_multiple = any(a >= 0 and (a / (2 * eta * (x - mu))).denominator == 1 for a, x in zip(A0, xi))
        out.append({"A0": A0s, "xi_l1": xis, "mu_l1": mus, "eta": etas, "T1": T1,
                    "binary_exact_inputs": binary, "has_exact_multiple": exact_multiple})
    return out


# ------------------------------------------------------------------ order-only stage scales

def stage_scale_cases():
    out = []
    for sigma0, eta, s, m_v, m_k, n in [("0.01", "0.001", 50, 10, 10, 20), ("0.001", "1e-5", 7, 64, 32, 200),
                                         ("0.5", "0.25", 1, 1, 1, 1)]:
        S0, E = mpf(sigma0), mpf(eta)
        st1 = S0 / E / mpmath.sqrt(s * m_v)
        st2 = S0 / E * mpmath.sqrt(mpmath.log(m_k * n) / s)
        st3 = S0 / E * mpmath.sqrt(mpmath.log(m_k))
        out.append({"sigma0": sigma0, "eta": eta, "s": s, "m_v": m_v, "m_k": m_k, "n": n,
                    "stage1": val(st1), "stage2": val(st2), "stage3": val(st3)})
    return out


# ------------------------------------------------------------------ Stage II: pair alignment

def pair_steps_by_simulation(q, k, step, limit=100000):
    """Steps until sgn q = sgn k when q moves toward sgn k and k toward sgn q by `step`."""
    t = 0
    while sgn(q) != sgn(k):
        q, k = q + step * sgn(k), k + step * sgn(q)
        t += 1
        check(t <= limit, "pair simulation did not end")
    return t


def pair_cases():
    out = []
    for q0, k0, eta, xi in [("0.2", "-0.1", "0.001", "40"), ("-0.03", "0.5", "0.0001", "12.5"),
                            ("0.2", "0.1", "0.001", "40"), ("-0.7", "-0.2", "0.01", "3"),
                            ("0.125", "-0.25", "0.0625", "1")]:
        q, k, e, x = F(q0), F(k0), F(eta), F(xi)
        step = e * x
        time = F(0) if q * k > 0 else min(abs(q), abs(k)) / step
        disc = pair_steps_by_simulation(q, k, step)
        # discrete crossing: floor(time) + 1 strictly past 0, or time itself when it is an integer
        # (the smaller one lands on 0 and agrees with nothing; one more step fixes it -> time + 1)
        if q * k > 0:
            check(disc == 0, "pair: same sign needs 0 steps")
        else:
            check(disc == math.floor(time) + 1, f"pair: discrete {disc} vs time {time}")
        out.append({"q0": q0, "k0": k0, "eta": eta, "xi_l1": xi, "time": val(time), "discrete_steps": disc})
    return out


# ------------------------------------------------------------------ epsilon time, slope band

def eps_cases():
    out = []
    for T4, eps, eta, mxi, c in [("100", "1e-3", "0.001", "30", "1"), ("0", "1e-8", "0.0005", "41.2", "2"),
                                  ("57", "0.5", "0.01", "3.5", "1.5")]:
        t = mpf(T4) + mpmath.log(1 / mpf(eps)) / (mpf(c) * 2 * mpf(eta) * mpf(mxi))
        out.append({"T4": T4, "epsilon": eps, "eta": eta, "min_xi_l1": mxi, "c": c, "time": val(t)})
    return out


def band_cases():
    out = []
    for eta, lo, hi in [("0.001", "30", "50"), ("0.0001", "41.2", "41.2"), ("0.5", "1e-3", "7")]:
        out.append({"eta": eta, "min_xi_l1": lo, "max_xi_l1": hi,
                    "lo": val(-4 * F(eta) * F(hi)), "hi": val(-2 * F(eta) * F(lo))})
    return out


# ------------------------------------------------------------------ miss probability

def miss_cases():
    out = []
    for d, s, touched in [(10000, 50, 1000), (10000, 50, 0), (8, 2, 2), (8, 3, 5), (8, 3, 4),
                          (1000000, 1000, 20000), (101, 100, 0), (101, 100, 1), (2, 1, 1), (2, 1, 0)]:
        p = F(math.comb(d - 1 - touched, s), math.comb(d - 1, s))
        out.append({"d": d, "s": s, "touched": touched, "probability": val(p)})
    return out


def union_cases():
    out = []
    for d, n, s in [(10000, 20, 50), (10000, 1, 1), (1001, 40, 5), (100, 20, 5), (2, 1, 1)]:
        u = 1 - F(n * s * s, d - 1)
        out.append({"d": d, "n": n, "s": s, "factor": val(u)})
    return out


# ------------------------------------------------------------------ test-loss lower bound

def softplus_neg(a):
    """log(1 + exp(-a)) at the working precision."""
    return mpmath.log1p(mpmath.exp(-a))


def bound_value(P, value_signal, sigma_p, s, mean_sq):
    a = 2 * max(to_mpf(value_signal), mpf(0)) + 2 * to_mpf(sigma_p) * mpmath.sqrt(s * to_mpf(mean_sq))
    return to_mpf(P) * softplus_neg(a)


def test_loss_cases():
    out = []
    for P, vs, sp, s, m in [("1", "0", "1", 50, "2e-5"), ("0.9", "0.2", "1", 50, "1e-5"),
                            ("0.75", "-0.3", "0.5", 7, "0.01"), ("0.5", "3", "2", 10, "0.0025"),
                            ("1", "1e6", "1", 50, "1e-5"), ("0.25", "0", "0", 3, "0"),
                            ("0.9", "400", "1", 50, "0")]:
        out.append({"miss_probability": P, "value_signal": vs, "sigma_p": sp, "s": s,
                    "mean_v0_sq_untouched": m, "bound": val(bound_value(F(P), vs, sp, s, m))})
    return out


def exact_instance():
    """A small explicit instance: the bound must not exceed P_miss E[g(|z|) | miss]."""
    d, s = 8, 2
    sigma_p = F(3, 2)
    value_signal = F(3, 10)
    touched = [2, 3]                          # coordinates hit by training supports (1 = signal)
    v0 = {4: F(3, 10), 5: F(-1, 5), 6: F(1, 2), 7: F(-7, 10), 8: F(1, 10)}  # v^(0) on the untouched ones
    U = sorted(v0)
    check(len(U) == d - 1 - len(touched), "instance: untouched count")
    P = F(math.comb(len(U), s), math.comb(d - 1, s))
    mean_sq = sum(v0[k] ** 2 for k in U) / len(U)
    a = 2 * to_mpf(max(value_signal, F(0)))
    sig = to_mpf(sigma_p)

    def g(u):
        return softplus_neg(a + 2 * u)

    subsets = list(itertools.combinations(U, s))
    exp_g = mpf(0)
    exp_z2 = F(0)
    for S in subsets:
        var = sigma_p ** 2 * sum(v0[k] ** 2 for k in S)   # z | S ~ N(0, var)
        exp_z2 += var
        sd = mpmath.sqrt(to_mpf(var))
        # E g(|z|) = 2 int_0^inf g(x) phi(x / sd) / sd dx
        exp_g += 2 * mpmath.quad(lambda x: g(x) * mpmath.npdf(x, 0, sd), [0, sd, 10 * sd, mpmath.inf])
    exp_g /= len(subsets)
    exp_z2 /= len(subsets)
    check(exp_z2 == sigma_p ** 2 * s * mean_sq, "E z^2 = sigma_p^2 s mean_U v0^2")
    bound = bound_value(P, value_signal, sigma_p, s, mean_sq)
    lhs = to_mpf(P) * exp_g
    check(lhs >= bound, "Jensen bound exceeds the exact conditional expectation")
    check(lhs - bound > mpf("1e-6"), "instance should show a strictly positive Jensen gap")
    return {"d": d, "s": s, "sigma_p": str(sigma_p), "value_signal": str(value_signal),
            "touched": len(touched), "v0_untouched": [str(v0[k]) for k in U],
            "miss_probability": val(P), "mean_v0_sq_untouched": val(mean_sq), "E_z2": val(exp_z2),
            "bound": val(bound), "exact_expected_loss_on_miss_times_P": val(lhs)}


# ------------------------------------------------------------------ SNRs and rate ratios

def expected_abs_gaussian(sigma):
    return 2 * mpmath.quad(lambda x: x * mpmath.npdf(x, 0, sigma), [0, sigma, 10 * sigma, mpmath.inf])


def expected_sq_gaussian(sigma):
    return 2 * mpmath.quad(lambda x: x * x * mpmath.npdf(x, 0, sigma), [0, sigma, 10 * sigma, mpmath.inf])


def gd_ratio_by_gradient(n, mu_norm, sigma_p, s):
    """Delta<v,mu> / Delta<v,y_1 xi_1> after one GD step from the spec's value gradient,
    grad_{w_{V,j,r}} = j/(n m_v) sum_i l'_i [(s11+s21) mu + (s12+s22) y_i xi_i], at l'_i = -1/2,
    all softmax entries 1/2, on n samples with disjoint supports and ||xi_i||^2 = s sigma_p^2
    (xi_i = sigma_p on s coordinates: the ratio depends on ||xi_i||_2^2 only)."""
    m_v = 3
    d = 1 + n * s
    mu = [F(0)] * d
    mu[0] = mu_norm
    ys = [1 if i % 2 == 0 else -1 for i in range(n)]
    xis = []
    for i in range(n):
        x = [F(0)] * d
        for k in range(s):
            x[1 + i * s + k] = sigma_p * (1 if k % 2 == 0 else -1)
        xis.append(x)
    lp = F(-1, 2)
    coef = F(1, 2) + F(1, 2)
    # Delta w_{V,j,r} = -eta grad (eta = 1); Delta v = (1/m_v) sum_r Delta w_{V,+1,r} - (1/m_v) sum_r Delta w_{V,-1,r}
    dv = [F(0)] * d
    for j in (1, -1):
        g = [F(0)] * d
        for i in range(n):
            for c in range(d):
                g[c] += F(j, n * m_v) * lp * (coef * mu[c] + coef * ys[i] * xis[i][c])
        for c in range(d):
            dv[c] += j * F(1, m_v) * m_v * (-g[c])   # m_v identical rows
    d_signal = sum(a * b for a, b in zip(dv, mu))
    d_noise = sum(a * ys[0] * b for a, b in zip(dv, xis[0]))
    return d_signal / d_noise


def snr_cases():
    out = []
    for mu_norm, sigma_p, s, n in [("1", "1", 50, 20), ("0.5", "0.1", 7, 40), ("2", "0.25", 1, 3)]:
        mu, sp = mpf(mu_norm), mpf(sigma_p)
        e1 = s * expected_abs_gaussian(sp)
        e2 = s * expected_sq_gaussian(sp)
        check(abs(e1 - s * sp * mpmath.sqrt(2 / mpmath.pi)) < mpf("1e-60") * e1, "E|N| quadrature")
        check(abs(e2 - s * sp ** 2) < mpf("1e-60") * e2, "E N^2 quadrature")
        gd = gd_ratio_by_gradient(n, F(mu_norm), F(sigma_p), s)
        check(gd == n * F(mu_norm) ** 2 / (s * F(sigma_p) ** 2), "GD ratio from the gradient")
        out.append({"mu_norm": mu_norm, "sigma_p": sigma_p, "s": s, "n": n,
                    "expected_xi_l1": val(e1), "expected_xi_l2sq": val(e2),
                    "snr_l2": val(mu / mpmath.sqrt(e2)), "snr_l1": val(mu / e1),
                    "gd_ratio": val(gd), "signgd_ratio": val(mu / e1)})
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "li2024_reference.json")
    ref = {
        "generator": "tests/reference/li2024_reference.py",
        "mpmath": mpmath.__version__,
        "digits": OUT_DIGITS,
        "stage1_end": stage1_cases(),
        "stage_scales": stage_scale_cases(),
        "pair_alignment": pair_cases(),
        "epsilon_time": eps_cases(),
        "slope_band": band_cases(),
        "miss_probability": miss_cases(),
        "union_bound": union_cases(),
        "test_loss": test_loss_cases(),
        "test_loss_instance": exact_instance(),
        "snr": snr_cases(),
        "log2": val(mpmath.log(2)),
    }
    with open(path, "w") as fh:
        json.dump(ref, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
