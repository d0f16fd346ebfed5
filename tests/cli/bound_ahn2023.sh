#!/usr/bin/env bash
# `bound ahn2023.* / zhang2024.test-length --json`: every term a decimal string with the requested
# digits and a label, checked against independent values: exact fractions computed here (spec 2.1,
# 2.2, 2.6 tables) and the mpmath reference tests/data/ahn2023_reference.json (spec 2.4).
set -eu
bin="$1"
data="$(cd "$(dirname "$0")/.." && pwd)/data/ahn2023_reference.json"
one=$("$bin" bound ahn2023.one-layer -p d=5 -p n=20 -p eigenvalues=0.25,0.0625 --digits 30 --json)
law=$("$bin" bound ahn2023.one-layer-law --digits 30 --json)
ms=$("$bin" bound ahn2023.multistep-gd -p d=5 -p n=20 -p L=2 --digits 30 --json)
zfb=$("$bin" bound zhang2024.test-length -p d=5 -p N=20 -p M=5 --digits 30 --json)
python3 - "$one" "$law" "$ms" "$zfb" "$data" <<'PY'
import json, re, sys
from fractions import Fraction as F
one, law, ms, zfb = (json.loads(a) for a in sys.argv[1:5])
ref = json.load(open(sys.argv[5]))
def close(got, want, digits=28):
    got = F(got)
    assert abs(got - want) <= abs(want) / 10 ** digits, (str(got), float(want))
for d in (one, law, ms, zfb):
    assert d["digits"] == 30 and d["status"] == "reconstructed", d
    for k, v in d["terms"].items():
        assert k in d["labels"], k
        m = re.match(r"^-?(\d)\.(\d+)e[+-]\d+$", v)
        assert m and len(m.group(1) + m.group(2)) == 30, (k, v)
# Theorem 1, [AHN-a] spectrum (1,1,1/4,1/16,1), n = 20: sum l (l + T)/((n+1) l + T) (spec: 0.6817564)
lam = [F(1, 4), F(1, 16), F(1), F(1), F(1)]
T = sum(lam)
close(one["terms"]["f_star"], sum(l * (l + T) / (21 * l + T) for l in lam))
assert abs(float(one["terms"]["f_star"]) - 0.6817564) < 5e-8
close(one["terms"]["q_star_1"], -F(20) / (21 * F(1, 4) + T))
# spec 2.2 table: Setting 3 gamma 27/37, Q* = -50/37; sphere 1/6, -25/6; [VO] cube 490/297, eta 50/33
t = law["terms"]
close(t["f_star_gamma"], F(27, 37)); close(t["q_star_gamma"], F(-50, 37))
close(t["f_star_sphere"], F(1, 6)); close(t["q_star_sphere"], F(-25, 6))
assert law["params"]["d"] == "5"
# spec 2.4: the mpmath reference (Wick moments, normal equations)
r = next(x for x in ref["multistep"] if x["d"] == 5 and x["n"] == 20 and x["L"] == 2)
close(ms["terms"]["f_star"], F(r["loss"]["exact"]))
close(ms["terms"]["step_1"], F(r["steps"][0]), 27); close(ms["terms"]["step_2"], F(r["steps"][1]), 27)
close(ms["terms"]["theorem5_q0"], F(-40, 33))
# spec 2.6: isotropic R = d(d+1)[(d+1) + N^2/M]/(N+d+1)^2 = 3.8165680 at d=5, N=20, M=5
close(zfb["terms"]["R"], F(30) * (6 + F(400, 5)) / 26 ** 2)
close(zfb["terms"]["R_train_length"], F(30, 26))
assert F(zfb["terms"]["corollary43"]) >= F(zfb["terms"]["R"])
print("ok values")
PY
"$bin" bound ahn2023.one-layer-law -p d=10 -p n=10 -p a=0.5 --digits 20 >/dev/null
# out-of-domain input: one line on stderr, exit 2
. "$(dirname "$0")/lib/expect_bad_input.sh"
for args in "ahn2023.multistep-gd -p L=3" "ahn2023.one-layer -p d=1 -p eigenvalues=2,3" \
            "zhang2024.test-length -p M=0" "ahn2023.one-layer -p eigenvalues=0"; do
  # shellcheck disable=SC2086
  expect_bad_input "$args" "$bin" bound $args --json || exit 1
done
echo ok
