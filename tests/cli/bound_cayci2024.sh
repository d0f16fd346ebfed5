#!/usr/bin/env bash
# `bound cayci2024.indrnn --json`: alpha, Lambda_T, the grad_u bounds and the regime, every term
# a decimal string with the requested digits, checked against closed forms computed here.
set -eu
bin="$1"
out=$("$bin" bound cayci2024.indrnn -p T=128 -p m=64 -p u=1.5 -p rho_u=3 -p rho_c=3 -p r=1 --digits 30 --json)
python3 - "$out" <<'PY'
import json, re, sys
from fractions import Fraction
d = json.loads(sys.argv[1])
assert d["bound"] == "cayci2024.indrnn" and d["digits"] == 30 and d["status"] == "reconstructed", d
t = d["terms"]
for k in ["alpha", "log_alpha", "Lambda_T", "grad_u_f_bound", "grad_u_loss_bound", "regime"]:
    assert k in t and k in d["labels"], k
for k in ["alpha", "log_alpha", "Lambda_T", "grad_u_f_bound", "grad_u_loss_bound"]:
    m = re.match(r"^-?(\d)\.(\d+)e[+-]\d+$", t[k])
    assert m and len(m.group(1) + m.group(2)) == 30, (k, t[k])
a = Fraction(15, 8)                      # 1.5 + 3/sqrt(64)
lam = (a ** 128 - 1) / (a - 1)           # exact rational closed form
assert Fraction(t["alpha"]) == a, t["alpha"]
rel = abs(Fraction(t["Lambda_T"]) - lam) / lam
assert rel < Fraction(1, 10 ** 28), float(rel)
gf = Fraction(11, 8) * lam               # (1 + 3/8) Lambda_T
assert abs(Fraction(t["grad_u_f_bound"]) - gf) / gf < Fraction(1, 10 ** 28)
assert abs(Fraction(t["grad_u_loss_bound"]) - 2 * gf) / gf < Fraction(1, 10 ** 28)
assert t["regime"] == "1", t["regime"]
print("ok exponential regime")
PY
low=$("$bin" bound cayci2024.indrnn -p T=1000 -p u=0.5 -p rho_u=0 -p rho_c=0 --json)
python3 - "$low" <<'PY'
import json, sys
t = json.loads(sys.argv[1])["terms"]
assert t["regime"] == "-1" and abs(float(t["Lambda_T"]) - 2.0) < 1e-12, t   # 1/(1 - 0.5)
print("ok contracting regime")
PY
crit=$("$bin" bound cayci2024.indrnn -p T=77 -p u=0.625 -p rho_u=3 -p m=64 --json)
python3 - "$crit" <<'PY'
import json, sys
t = json.loads(sys.argv[1])["terms"]
assert t["regime"] == "0" and float(t["Lambda_T"]) == 77.0, t                # alpha = 1: Lambda_T = T
print("ok critical regime")
PY
# out-of-domain input: one line on stderr, exit 2
. "$(dirname "$0")/lib/expect_bad_input.sh"
expect_bad_input "T=0" "$bin" bound cayci2024.indrnn -p T=0 --json || exit 1
echo ok
