#!/usr/bin/env bash
# `bound lavie2024.irreps / lavie2024.learnability --json`: the irrep table against tableau counts
# computed here (standard tableaux by branching, semistandard by horizontal strips; sum = V^L), the
# learnability terms of candidate A at V = 2 against the spec 2.3/2.4 formulas evaluated with mpmath
# (kappa by findroot), and bad input -> one line on stderr, exit 2.
set -eu
bin="$1"
ir=$("$bin" bound lavie2024.irreps -p V=3 -p L=6 --json)
ir2=$("$bin" bound lavie2024.irreps -p V=2 -p L=9 --json)
le=$("$bin" bound lavie2024.learnability --digits 30 --json)
le2=$("$bin" bound lavie2024.learnability -p L=13 -p P=7 -p sigma2=0 --digits 25 --json)
python3 - "$ir" "$ir2" "$le" "$le2" <<'PY'
import functools, itertools, json, re, sys
import mpmath
from mpmath import mp, mpf
mp.dps = 60
ir, ir2, le, le2 = (json.loads(a) for a in sys.argv[1:5])

def partitions(n, m=None):
    m = n if m is None else m
    if n == 0:
        yield ()
        return
    for k in range(min(n, m), 0, -1):
        for rest in partitions(n - k, k):
            yield (k,) + rest

@functools.lru_cache(None)
def syt(lam):
    if sum(lam) == 0:
        return 1
    tot = 0
    for i, r in enumerate(lam):
        if r > (lam[i + 1] if i + 1 < len(lam) else 0):
            sm = list(lam); sm[i] -= 1
            tot += syt(tuple(x for x in sm if x))
    return tot

@functools.lru_cache(None)
def ssyt(lam, V):
    if sum(lam) == 0:
        return 1
    if V == 0:
        return 0
    rng = [range(lam[i + 1] if i + 1 < len(lam) else 0, r + 1) for i, r in enumerate(lam)]
    return sum(ssyt(tuple(x for x in nu if x), V - 1) for nu in itertools.product(*rng))

for d, V, L in ((ir, 3, 6), (ir2, 2, 9)):
    assert d["status"] == "exact", d["status"]
    t = d["terms"]
    for lam in partitions(L):
        name = "[" + ",".join(map(str, lam)) + "]"
        assert t["f" + name] == str(syt(lam)), name
        assert t["s" + name] == str(ssyt(lam, V)), name
        assert t["dim" + name] == str(syt(lam) * ssyt(lam, V)), name
        for k in ("f", "s", "dim"):
            assert d["labels"][k + name], name
    assert t["V^L"] == str(V ** L) and t["total_dim"] == str(V ** L), t["total_dim"]

def close(got, want, digits):
    got = mpf(got)
    assert abs(got - want) <= abs(want) * mpf(10) ** (1 - digits), (str(got), str(want))

def check_learnability(d, L, P, sigma2, digits):
    assert d["status"] == "reconstructed" and d["digits"] == digits, d
    t = d["terms"]
    for k, v in t.items():
        assert d["labels"][k], k
        m = re.match(r"^-?(\d)\.(\d+)e[+-]\d+$", v)
        assert m and len(m.group(1) + m.group(2)) == digits, (k, v)
    L, P, sigma2 = mpf(L), mpf(P), mpf(sigma2)
    tr = L * (L + 1) / 16
    f = L - 1
    eta = L / 32
    close(t["trace_T"], tr, digits - 1)
    close(t["f_[L-1,1]"], f, digits - 1)
    close(t["eta_top_[L-1,1]"], eta, digits - 1)
    close(t["isotypic_trace_[L-1,1]"], (L - 1) * (L / 4 + (L - 2) / (4 * L)) / 8, digits - 1)
    close(t["tightness_ratio"], (L - 1) / (2 * (L + 1)), digits - 1)
    close(t["trace_bound"], tr / (tr + f * sigma2 / P), digits - 1)
    close(t["conservation_bound"], P / f, digits - 1)
    close(t["ek_learnability"], eta / (eta + sigma2 / P), digits - 1)
    s = (L ** 3 + 3 * L - 2) / (4 * L)
    p = L * (L - 1) / 8
    root = mpmath.sqrt(s * s - 4 * p)
    groups = [(L / 2 / 8, 1), ((s + root) / 16, 1), ((s - root) / 16, 1), (L / 32, L - 1), ((L - 2) / (4 * L) / 8, L - 1)]
    res = lambda k: sum(m * lam / (lam + k) for lam, m in groups) + sigma2 / k - P
    lo = sigma2 / P if sigma2 > 0 else mpf("1e-40")
    kappa = mpmath.findroot(res, (lo, (sum(m * lam for lam, m in groups) + sigma2) / P), solver="anderson")
    close(t["eigenlearning_kappa"], kappa, digits - 2)
    close(t["eigenlearning_learnability"], eta / (eta + kappa), digits - 2)
    assert mpf(t["eigenlearning_learnability"]) <= mpf(t["ek_learnability"]) or sigma2 == 0
    assert mpf(t["ek_learnability"]) <= mpf(t["trace_bound"])

assert le["params"]["L"] == "8" and le["params"]["P"] == "50" and le["params"]["sigma2"] == "1", le["params"]
check_learnability(le, 8, 50, 1, 30)
check_learnability(le2, 13, 7, 0, 25)   # ridgeless: P = 7 < 27 nonzero modes
print("ok values")
PY
# out-of-domain input: one line on stderr, exit 2
. "$(dirname "$0")/lib/expect_bad_input.sh"
for args in "lavie2024.irreps -p V=0" "lavie2024.irreps -p L=21" "lavie2024.irreps -p L=0" \
            "lavie2024.learnability -p L=1" "lavie2024.learnability -p P=0" "lavie2024.learnability -p sigma2=-1" \
            "lavie2024.learnability -p sigma2=0 -p P=17" "lavie2024.learnability -p sigma2=nan" \
            "lavie2024.learnability -p nope=1"; do
  # shellcheck disable=SC2086
  expect_bad_input "$args" "$bin" bound $args --json || exit 1
done
echo ok
