#!/usr/bin/env bash
# The full profile's cost on this machine without running it for hours (issue 6).
#   bench/full_profile_estimate.sh [BINARY] [OUT_DIR]
# Claims whose full profile takes minutes run exactly (`check --profile full --jobs 2`). The five
# long arda2026 training claims run at their full-profile configuration with fewer seeds S and
# steps tau, at (2, t), (2, 2t) and (4, t), and the model cost = a + S (b + tau c) is solved
# from the three and evaluated at the full S and tau. Prints per claim wall and CPU time
# (measured or extrapolated) and peak RSS, then the total. Keep the machine otherwise idle.
set -euo pipefail
bin="${1:-build/attnbound}"; out="${2:-build/full-profile-estimate}"
mkdir -p "$out"; : > "$out/times.txt"
set -f  # claim globs are not file names
timed() {  # name, then the command
  local name="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$out/$name.time" "$@" > "$out/$name.log" 2>&1 || true
  echo "$name $(cat "$out/$name.time" | tail -1)" | tee -a "$out/times.txt"
}
for id in arda2026.lemma3.linearization arda2026.lemma5.approximation arda2026.memory arda2026.width-log-n \
          'li2024.*' '*2023.*' 'zhang2024.*' 'lavie2024.*'; do
  timed "exact:${id//\*/all}" "$bin" check --profile full --jobs 2 --claims "$id" --out "$out/${id//\*/all}"
done
reduced() {  # id, base tau, extra overrides
  local id="$1" t="$2"; shift 2
  for cfg in "2 $t" "2 $((2 * t))" "4 $t"; do
    set -- $cfg
    timed "reduced:$id:$1:$2" "$bin" run "$id" --profile full --jobs 2 -p seeds="$1" -p tau="$2" ${extra:-} --json
  done
}
extra="" reduced arda2026.t-independence 50
extra="" reduced arda2026.theorem1.projgd 100
extra="" reduced arda2026.prop1.projsgd 200
extra="" reduced arda2026.rnn-contrast 20
extra="-p hparams=0 -p eta=0.022360679774997897 -p eval_every=1" reduced arda2026.ar-lag 20
python3 - "$out/times.txt" <<'PY'
import sys
full = {"arda2026.t-independence": (20, 1000), "arda2026.theorem1.projgd": (10, 4000),
        "arda2026.prop1.projsgd": (10, 4000), "arda2026.rnn-contrast": (20, 2000), "arda2026.ar-lag": (20, 2000)}
exact, red = [], {}
for line in open(sys.argv[1]):
    name, wall, user, sys_, rss = line.split()
    cpu = float(user) + float(sys_)
    if name.startswith("exact:"):
        exact.append((name[6:], float(wall), cpu, int(rss)))
    else:
        _, cid, s, t = name.split(":")
        red.setdefault(cid, {})[(int(s), int(t))] = (float(wall), cpu, int(rss))
rows = [(n, w, c, r, "measured") for n, w, c, r in exact]
for cid, r in red.items():
    t = min(k[1] for k in r)
    est = []
    for i in (0, 1):
        A, B, C = r[(2, t)][i], r[(2, 2 * t)][i], r[(4, t)][i]
        c = (B - A) / (2 * t); b = (C - A) / 2 - t * c; a = 2 * A - C
        S, T = full[cid]; est.append(a + S * (b + T * c))
    rows.append((cid, est[0], est[1], max(v[2] for v in r.values()), "extrapolated"))
for n, w, c, r, how in rows:
    print(f"{n:32s} wall {w / 60:8.1f} min  CPU {c / 60:8.1f} min  peak RSS {r / 1024:6.0f} MiB  ({how})")
print(f"{'total':32s} wall {sum(x[1] for x in rows) / 3600:8.2f} h    CPU {sum(x[2] for x in rows) / 3600:8.2f} h")
PY
