#!/usr/bin/env python3
"""Independent mpmath reference for bounds/cayci2024 (the IndRNN's recurrent constant).

Written from /work/shared/spec/arda2026-shallow-transformer-projgd.md section 4.13 and
bounds/cayci2024/NOTES.md, NOT from the C++ headers:
  alpha        = sigma1 * (u + rho_u / sqrt(m))                    (tanh: sigma0 = sigma1 = 1)
  Lambda_T     = sum_{k=0}^{T-1} alpha^k            -- summed term by term here (the headers use
                                                       Horner's rule), and cross-checked against
                                                       the closed forms (alpha^T-1)/(alpha-1), T
  grad_u_f     = sigma0 * sigma1 * (1 + rho_c / sqrt(m)) * Lambda_T
  grad_u_loss  = 2 * r * grad_u_f
  regime       = sign(alpha - 1)
Working precision mp.dps = 60; every value is written with 50 significant digits.

Usage: python3 tests/reference/cayci2024_reference.py [output.json]
Default output: tests/data/cayci2024_reference.json. Exit status 1 on any self-check failure.
"""

import json
import os
import random
import sys

import mpmath
from mpmath import mp, mpf

mp.dps = 60
OUT_DIGITS = 50


def fmt(x):
    return mpmath.nstr(x, OUT_DIGITS, min_fixed=1, max_fixed=0, strip_zeros=False)


def terms(T, m, u, rho_u, rho_c, r):
    T = int(T)
    m, u, rho_u, rho_c, r = (mpf(v) for v in (m, u, rho_u, rho_c, r))
    sigma0 = sigma1 = mpf(1)
    alpha = sigma1 * (u + rho_u / mpmath.sqrt(m))
    lam = mpmath.fsum(alpha ** k for k in range(T))
    # closed forms of the three regimes (NOTES.md section 1)
    closed = mpf(T) if alpha == 1 else (alpha ** T - 1) / (alpha - 1)
    if abs(lam - closed) > mpf(10) ** (-50) * max(1, abs(lam)):
        raise SystemExit(f"closed form mismatch at T={T} alpha={alpha}: {lam} vs {closed}")
    if alpha < 1 and not lam < 1 / (1 - alpha):
        raise SystemExit("Lambda_T >= 1/(1 - alpha) below the cutoff")
    gf = sigma0 * sigma1 * (1 + rho_c / mpmath.sqrt(m)) * lam
    return {
        "alpha": fmt(alpha),
        "log_alpha": fmt(mpmath.log(alpha)) if alpha > 0 else "-inf",
        "Lambda_T": fmt(lam),
        "grad_u_f_bound": fmt(gf),
        "grad_u_loss_bound": fmt(2 * r * gf),
        "regime": str(int(mpmath.sign(alpha - 1))),
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "cayci2024_reference.json")
    configs = []
    fixed = [
        # name, T, m, u, rho_u, rho_c, r
        ("paper_u1.5_T16", 16, 64, "1.5", "3", "3", "1"),
        ("paper_u1.5_T128", 128, 64, "1.5", "3", "3", "1"),
        ("paper_u0.5_T128", 128, 64, "0.5", "3", "3", "1"),
        ("critical_alpha1", 1000, 64, "0.625", "3", "3", "1"),   # 0.625 + 3/8 = 1 exactly
        ("at_init_u1.5_T4", 4, 64, "1.5", "0", "0", "1"),
        ("at_init_u0.5_T1", 1, 2, "0.5", "0", "0", "0.25"),
        ("long_u1.5_T4096", 4096, 64, "1.5", "0", "0", "1"),
        ("decimal_radii", 97, 16, "0.9", "0.1", "0.7", "2.5"),
    ]
    for name, T, m, u, ru, rc, r in fixed:
        configs.append({"name": name, "params": {"T": str(T), "m": str(m), "u": u, "rho_u": ru,
                                                 "rho_c": rc, "r": r},
                        "terms": terms(T, m, u, ru, rc, r)})
    rng = random.Random(20240219)
    for k in range(24):
        T = rng.choice([1, 2, 3, 5, 8, 17, 64, 129, 500])
        m = 2 * rng.randint(1, 512)
        u = f"{rng.uniform(0, 2):.6f}"
        ru = f"{rng.uniform(0, 4):.4f}"
        rc = f"{rng.uniform(0, 4):.4f}"
        r = f"{rng.uniform(0.01, 3):.5f}"
        configs.append({"name": f"random_{k:02d}", "params": {"T": str(T), "m": str(m), "u": u,
                                                               "rho_u": ru, "rho_c": rc, "r": r},
                        "terms": terms(T, m, u, ru, rc, r)})
    doc = {"description": "Independent mpmath reference (mp.dps=60) for bounds/cayci2024; generated "
                          "by tests/reference/cayci2024_reference.py",
           "digits": OUT_DIGITS, "configs": configs}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(configs)} configurations to {out}")


if __name__ == "__main__":
    main()
