#!/usr/bin/env python3
"""PyTorch reference of the shallow Transformer and ProjGD of Arda, Cayci & Eryilmaz 2026
(arXiv 2601.16514), written from the spec (shared/spec/arda2026-shallow-transformer-projgd.md,
sections 1-2), CPU, float64. It is what a researcher would write: einsum forward pass,
autograd backward pass, in-place update and projection under no_grad.

  a(X; W_i)  = X softmax(X^T W_i q_X),  q_X = X_T (last token)      spec 1
  h_i        = tanh(U_i^T a(X; W_i))
  f(X; phi)  = m^(-1/2) sum_i c_i h_i
  L_n(phi)   = (1/n) sum_j (f(X_j) - y_j)^2      (no 1/2)           spec 2
  phi+       = Pi_Omega(phi - eta grad L_n(phi))                    ProjGD, spec 2
  Pi_Omega   : per head, radial clipping of |c_i - c_i0| <= rho_c/sqrt m,
               ||U_i - U_i0|| <= rho_u/sqrt m, ||W_i - W_i0||_F <= rho_w/sqrt m (Definition 2)

Shapes: X (n, T, d) with X[j, t] the t-th token of sample j; W (m, d, d) with W[i] = W_i;
U (m, d) with U[i] = U_i; c (m,).

Used by bench/side_by_side.py, which reads the problem written by the C++ side (see
read_problem); run alone it draws its own problem with symmetric_init (spec 2) and reports
steps per second:  /usr/bin/python3 bench/reference_torch.py --m 64 --steps 20
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch


def forward(X, c, U, W):
    """f(X_j; phi) for all samples j (spec 1). X: (n, T, d)."""
    m = c.shape[0]
    q = X[:, -1, :]                                   # (n, d) query = last token
    Wq = torch.einsum("mrk,nk->nmr", W, q)            # (n, m, d) W_i q
    z = torch.einsum("ntr,nmr->nmt", X, Wq)           # (n, m, T) logits X_t^T W_i q
    alpha = torch.softmax(z, dim=-1)                  # stable softmax over tokens
    a = torch.einsum("nmt,ntr->nmr", alpha, X)        # (n, m, d) a_i = X alpha_i
    h = torch.tanh((a * U).sum(-1))                   # (n, m) tanh(U_i^T a_i)
    return h @ c / math.sqrt(m)                       # (n,)


def mse(f, y):
    """Empirical MSE without a 1/2 (spec 2)."""
    return ((f - y) ** 2).mean()


@torch.no_grad()
def project_(p, p0, rho):
    """Exact blockwise radial clipping onto Omega_rho around p0 (Definition 2), in place:
    a block farther than r from its centre is moved onto the sphere, else left untouched."""
    c, U, W = p
    c0, U0, W0 = p0
    s = 1.0 / math.sqrt(c.shape[0])
    for x, x0, r in ((c, c0, rho[0] * s), (U, U0, rho[1] * s), (W, W0, rho[2] * s)):
        diff = x - x0
        norm = diff.reshape(x.shape[0], -1).norm(dim=1).reshape((-1,) + (1,) * (x.dim() - 1))
        clipped = x0 + (r / norm) * diff
        x.copy_(torch.where(norm > r, clipped, x))


def projgd_step(p, p0, X, y, eta, rho):
    """One ProjGD step (full batch); returns L_n at the point before the step."""
    for t in p:
        t.grad = None
    L = mse(forward(X, *p), y)
    L.backward()
    with torch.no_grad():
        for t in p:
            t -= eta * t.grad
    project_(p, p0, rho)
    return L.detach()


def projsgd_step(p, p0, X, y, j, eta, rho):
    """One ProjSGD step on the single sample j (batch size 1)."""
    for t in p:
        t.grad = None
    L = mse(forward(X[j:j + 1], *p), y[j:j + 1])
    L.backward()
    with torch.no_grad():
        for t in p:
            t -= eta * t.grad
    project_(p, p0, rho)
    return L.detach()


def symmetric_init(d, m, gen):
    """Spec 2: heads i < m/2 draw W_i ~ N(0,1)^{dxd}, U_i ~ N(0, I_d), c_i ~ Rad; head
    i + m/2 copies W_i, U_i and takes -c_i, so f(X; phi0) = 0 identically."""
    if m % 2:
        raise ValueError("m must be even")
    h = m // 2
    W = torch.randn(h, d, d, generator=gen, dtype=torch.float64)
    U = torch.randn(h, d, generator=gen, dtype=torch.float64)
    c = torch.randint(0, 2, (h,), generator=gen).to(torch.float64) * 2 - 1
    return torch.cat([c, -c]), torch.cat([U, U]), torch.cat([W, W])


def read_problem(path):
    """A problem written by bench/attnbound_side_by_side: X.npy (n, T, d), y.npy (n,),
    c0.npy (m,), U0.npy (m, d), W0.npy (m, d, d) and meta.json (eta, rho)."""
    ld = lambda name: torch.from_numpy(np.load(os.path.join(path, name)))
    with open(os.path.join(path, "meta.json")) as fh:
        meta = json.load(fh)
    return ld("X.npy"), ld("y.npy"), (ld("c0.npy"), ld("U0.npy"), ld("W0.npy")), meta


def run_projgd(X, y, p0, eta, rho, steps):
    """`steps` ProjGD steps from p0; returns (losses L_n(phi_s), s < steps; seconds)."""
    p = [t.clone().requires_grad_(True) for t in p0]
    losses = []
    t0 = time.perf_counter()
    for _ in range(steps):
        losses.append(projgd_step(p, p0, X, y, eta, rho).item())
    return losses, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--problem", help="directory written by attnbound_side_by_side")
    ap.add_argument("--d", type=int, default=8)
    ap.add_argument("--T", type=int, default=16)
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--m", type=int, default=64)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.problem:
        X, y, p0, meta = read_problem(a.problem)
        eta, rho = meta["eta"], meta["rho"]
    else:
        gen = torch.Generator().manual_seed(a.seed)
        X = torch.randn(a.n, a.T, a.d, generator=gen, dtype=torch.float64)
        X = X / X.norm(dim=-1, keepdim=True).clamp(min=1.0)  # ||X_t|| <= 1
        y = torch.randn(a.n, generator=gen, dtype=torch.float64)
        p0 = symmetric_init(a.d, a.m, gen)
        eta, rho = 1.0 / math.sqrt(4000), (3.0, 3.0, 3.0)
    losses, sec = run_projgd(X, y, p0, eta, rho, a.steps)
    print(json.dumps({"m": p0[0].shape[0], "n": X.shape[0], "steps": a.steps,
                      "steps_per_s": a.steps / sec, "losses": losses}))


if __name__ == "__main__":
    main()
