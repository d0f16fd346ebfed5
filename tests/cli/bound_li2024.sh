#!/usr/bin/env bash
# `bound li2024.stage-scales / li2024.test-loss --json`: every term a decimal string with the
# requested digits (or "none") and a label, checked against values computed here independently
# (exact fractions, math.comb, mpmath at 60 digits; spec 1, 4.1-4.4, 4.6), and bad input -> exit 2.
set -eu
bin="$1"
sc=$("$bin" bound li2024.stage-scales --digits 30 --json)
sc2=$("$bin" bound li2024.stage-scales -p d=100 -p n=20 -p s=5 -p sigma_p=0.5 -p mu_norm=2 -p m_k=4 -p m_v=8 \
      -p sigma0=0.125 -p eta=0.0625 --digits 25 --json)
tl=$("$bin" bound li2024.test-loss --digits 30 --json)
tl2=$("$bin" bound li2024.test-loss -p d=8 -p n=1 -p s=2 -p sigma_p=1.5 -p value_signal=-0.3 -p mean_v0_sq=0.176 \
      -p touched=2 --digits 30 --json)
python3 - "$sc" "$sc2" "$tl" "$tl2" <<'PY'
import json, math, re, sys
from fractions import Fraction as F
import mpmath
from mpmath import mp, mpf
mp.dps = 60
sc, sc2, tl, tl2 = (json.loads(a) for a in sys.argv[1:5])
def close(got, want, digits):
    got = mpf(got)
    assert abs(got - want) <= abs(want) * mpf(10) ** (1 - digits), (str(got), str(want))
for d, dig in ((sc, 30), (sc2, 25), (tl, 30), (tl2, 30)):
    assert d["digits"] == dig and d["status"] == "reconstructed", d
    for k, v in d["terms"].items():
        assert k in d["labels"] and d["labels"][k], k
        if v == "none":
            continue
        m = re.match(r"^-?(\d)\.(\d+)e[+-]\d+$", v)
        assert m and len(m.group(1) + m.group(2)) == dig, (k, v)
# defaults: the spec 5.3 scratch setting d=1e4, n=20, s=50, sigma_p=1, ||mu||=1, sigma0=0.01, eta=1e-3, m_k=m_v=10
t = sc["terms"]
assert sc["params"]["d"] == "10000" and sc["params"]["eta"] == "0.001", sc["params"]
xi1 = 50 * mpmath.sqrt(2 / mpmath.pi)
close(t["expected_xi_l1"], xi1, 29)                    # 39.89: the spec's 41.2 is a sample mean
close(t["expected_xi_l2sq"], mpf(50), 29)
close(t["stage1_scale"], mpf("0.01") / mpf("0.001") / mpmath.sqrt(500), 29)
close(t["stage2_scale"], mpf("0.01") * mpmath.sqrt(mpmath.log(200)) / (mpf("0.001") * mpmath.sqrt(50)), 29)
close(t["stage3_scale"], mpf("0.01") * mpmath.sqrt(mpmath.log(10)) / mpf("0.001"), 29)
close(t["value_noise_rate"], 2 * mpf("0.001") * xi1, 29)
close(t["value_signal_rate"], mpf("0.002"), 29)
close(t["slope_band_lo"], -4 * mpf("0.001") * xi1, 29)
close(t["slope_band_hi"], -2 * mpf("0.001") * xi1, 29)
close(t["snr_l2"], 1 / mpmath.sqrt(50), 29)
close(t["snr_l1"], 1 / xi1, 29)
close(t["gd_signal_noise_ratio"], mpf(20) / 50, 29)
close(t["signgd_signal_noise_ratio"], 1 / xi1, 29)
close(t["union_miss_factor"], mpf(1) - mpf(20 * 2500) / 9999, 29)
close(t["miss_probability_disjoint"], mpf(math.comb(9999 - 1000, 50)) / math.comb(9999, 50), 29)
# a second setting: negative union factor 1 - 20*25/99, n s = 100 > d-1 = 99 disjoint supports do not fit
t = sc2["terms"]
close(t["union_miss_factor"], mpf(1) - mpf(500) / 99, 24)
assert mpf(t["union_miss_factor"]) < 0
assert t["miss_probability_disjoint"] == "none"
close(t["gd_signal_noise_ratio"], mpf(20 * 4) / (5 * mpf("0.25")), 24)
close(t["stage1_scale"], mpf("0.125") / mpf("0.0625") / mpmath.sqrt(40), 24)
# test loss, defaults: P = C(9999-1000, 50)/C(9999, 50), a = 0.2 + 2 sqrt(50 * 2e-5)
t = tl["terms"]
P = mpf(math.comb(8999, 50)) / math.comb(9999, 50)
close(t["miss_probability"], P, 29)
close(t["lower_bound"], P * mpmath.log1p(mpmath.exp(-(2 * mpf("0.1") + 2 * mpmath.sqrt(50 * mpf("2e-5"))))), 29)
close(t["log2"], mpmath.log(2), 29)
assert mpf(t["lower_bound"]) < mpf(t["log2"])
# the reference's small instance (tests/data/li2024_reference.json): P = 10/21, a negative value signal counts as 0
t = tl2["terms"]
close(t["miss_probability"], mpf(10) / 21, 29)
close(t["lower_bound"], mpf(10) / 21 * mpmath.log1p(mpmath.exp(-3 * mpmath.sqrt(2 * mpf("0.176")))), 29)
close(t["union_miss_factor"], mpf(1) - mpf(4) / 7, 29)
print("ok values")
PY
"$bin" bound li2024.test-loss -p value_signal=1e6 --digits 10 >/dev/null   # huge argument: no overflow
# out-of-domain input: one line on stderr, exit 2
. "$(dirname "$0")/lib/expect_bad_input.sh"
for args in "li2024.stage-scales -p d=10 -p s=10" "li2024.stage-scales -p eta=0" "li2024.stage-scales -p sigma_p=0" \
            "li2024.test-loss -p d=10 -p s=10 -p touched=0" "li2024.test-loss -p touched=10000" \
            "li2024.test-loss -p touched=1001" "li2024.test-loss -p mean_v0_sq=-1" "li2024.stage-scales -p n=0" \
            "li2024.test-loss -p value_signal=nan"; do
  # shellcheck disable=SC2086
  expect_bad_input "$args" "$bin" bound $args --json || exit 1
done
echo ok
