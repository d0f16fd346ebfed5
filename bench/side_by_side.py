#!/usr/bin/env python3
"""attnbound vs PyTorch, side by side on this machine, one ProjGD run per width.

For each width m: bench/attnbound_side_by_side (C++) draws a teacher-student problem (spec
5.1: d = 8, T = 16, n = 4000, clipped Gaussian tokens, transport-map teacher) and a symmetric
initialization from --seed, writes them as .npy files, and runs --steps ProjGD steps with
train() (the code path the claims use) --repeats times. bench/reference_torch.py reads the same
files and runs the same steps in PyTorch (float64, CPU, autograd). The two loss trajectories
L_n(phi_s), s < steps, must agree to --rtol (relative, per step); steps per second is the median
over repeats for each side, measured alternately in one process tree so both see the same
machine load. Both use --threads threads (torch.set_num_threads; train()'s opt.threads).

  /usr/bin/python3 bench/side_by_side.py --build build [--widths 8,16,32,64,128,256]
      [--steps 20] [--repeats 3] [--threads 2] [--rtol 1e-10] [--json out.json]

Exit status 0 when every trajectory agrees, 1 when one does not, 2 on bad input.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="CMake build directory with bench/attnbound_side_by_side")
    ap.add_argument("--widths", default="8,16,32,64,128,256")
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rtol", type=float, default=1e-10)
    ap.add_argument("--json", help="also write the table as JSON here")
    a = ap.parse_args()
    exe = os.path.join(a.build, "bench", "attnbound_side_by_side")
    if not os.access(exe, os.X_OK):
        print(f"side_by_side: {exe} not found; build the bench targets first (scripts/bench.sh)", file=sys.stderr)
        return 2
    try:
        widths = [int(w) for w in a.widths.split(",")]
    except ValueError:
        print("side_by_side: --widths must be a comma-separated list of even integers", file=sys.stderr)
        return 2
    if any(w < 2 or w % 2 for w in widths) or a.steps < 1 or a.repeats < 1 or a.threads < 1:
        print("side_by_side: widths must be even >= 2, steps/repeats/threads >= 1", file=sys.stderr)
        return 2
    try:
        import torch
        import reference_torch as ref
    except ImportError as e:
        print(f"side_by_side: {e}; install the benchmark environment (scripts/setup-bench.sh) and run "
              "with /usr/bin/python3", file=sys.stderr)
        return 2
    torch.set_num_threads(a.threads)

    rows, ok = [], True
    print(f"ProjGD steps/s, d=8 T=16 n={a.n}, {a.steps} steps x {a.repeats} repeats, {a.threads} threads each "
          f"(torch {torch.__version__}, {torch.get_num_threads()} threads)")
    print(f"{'m':>5} {'attnbound':>12} {'pytorch':>10} {'ratio':>8} {'max rel diff':>13}  agree")
    for m in widths:
        with tempfile.TemporaryDirectory() as tmp:
            cpp_rates, torch_rates, cpp, losses_t = [], [], None, None
            X = y = p0 = meta = None
            for rep in range(a.repeats):
                # C++ (writes the problem on the first repeat)
                cmd = [exe, "--m", str(m), "--n", str(a.n), "--steps", str(a.steps), "--repeats", "1",
                       "--threads", str(a.threads), "--seed", str(a.seed)] + (["--out", tmp] if rep == 0 else [])
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                cpp = json.loads(out)
                cpp_rates.append(cpp["steps_per_s"])
                if rep == 0:
                    X, y, p0, meta = ref.read_problem(tmp)
                # PyTorch on the same problem
                losses_t, sec = ref.run_projgd(X, y, p0, meta["eta"], meta["rho"], a.steps)
                torch_rates.append(a.steps / sec)
        cpp_rate = sorted(cpp_rates)[len(cpp_rates) // 2]
        torch_rate = sorted(torch_rates)[len(torch_rates) // 2]
        diffs = [abs(lc - lt) / max(abs(lt), 1e-300) for lc, lt in zip(cpp["losses"], losses_t)]
        agree = len(cpp["losses"]) == len(losses_t) == a.steps and max(diffs) <= a.rtol
        ok = ok and agree
        rows.append({"m": m, "attnbound_steps_per_s": cpp_rate, "pytorch_steps_per_s": torch_rate,
                     "ratio": cpp_rate / torch_rate, "max_rel_loss_diff": max(diffs), "agree": agree,
                     "loss_first": losses_t[0], "loss_last": losses_t[-1]})
        print(f"{m:>5} {cpp_rate:>12.2f} {torch_rate:>10.2f} {cpp_rate / torch_rate:>8.1f} {max(diffs):>13.2e}  "
              f"{'yes' if agree else 'NO'}", flush=True)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"threads": a.threads, "steps": a.steps, "repeats": a.repeats, "n": a.n,
                       "rtol": a.rtol, "torch": torch.__version__, "rows": rows}, fh, indent=1)
    print(f"loss trajectories {'agree' if ok else 'DISAGREE'} to rtol {a.rtol} over {a.steps} steps at every width")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
