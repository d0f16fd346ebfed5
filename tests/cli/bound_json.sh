#!/usr/bin/env bash
# `bound --json` prints one JSON document with every term at the requested digits.
set -eu
bin="$1"
out=$("$bin" bound arda2026.theorem1 -p d=8 -p m=64 -p n=5000 -p tau=4000 -p delta=0.05 -p delta_prime=0.05 \
      -p rho_c=3 -p rho_u=3 -p rho_w=3 -p nu_c=3 -p nu_u=3 -p nu_w=3 --digits 40 --json)
python3 - "$out" <<'PY'
import json, re, sys
d = json.loads(sys.argv[1])
assert d["bound"] == "arda2026.theorem1" and d["digits"] == 40, d
need = ["B_U", "B_U0", "L1", "L2", "B_lin", "B_app", "B_app_safe", "eps_CoF", "rhs_best", "rhs_avg"]
for k in need:
    v = d["terms"][k]
    mant = re.match(r"^-?(\d)\.(\d+)e[+-]\d+$", v)
    assert mant and len(mant.group(1) + mant.group(2)) == 40, (k, v)
    assert k in d["labels"], k
# the spec's cross-check table (section 4.9), m = 64, n = 5000
assert d["terms"]["B_lin"].startswith("2.16399589"), d["terms"]["B_lin"]
assert d["terms"]["B_app"].startswith("1.1116945"), d["terms"]["B_app"]
print("ok")
PY
w=$("$bin" bound arda2026.required-width -p epsilon=1 -p tau=1e12 --json)
python3 - "$w" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert int(d["terms"]["m_app"]) % 2 == 0 and int(d["terms"]["m_thm"]) % 2 == 0, d
print("ok", d["terms"])
PY
# list --json is one document listing every claim and bound
"$bin" list --json | python3 -c "import json,sys; d=json.load(sys.stdin); assert len(d['claims'])>=6 and len(d['bounds'])>=2; print('ok list')"
