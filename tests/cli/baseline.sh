#!/usr/bin/env bash
# `baseline` and `check --baseline` / `report --baseline`: an unchanged run against its own
# baseline exits 0; each kind of regression in a tampered copy of the baseline is caught,
# listed with old and new values, and exits 1; bad baseline files exit 2 with one line.
set -u
bin="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" check --claims 'arda2026.lemma3*' --seed 11 --out "$tmp/run" 2>/dev/null || fail "check"
"$bin" baseline --in "$tmp/run/results.json" --out "$tmp/base.json" 2>/dev/null || fail "baseline"
python3 -c "import json,sys; b=json.load(open(sys.argv[1])); assert b['schema']=='attnbound.baseline/1' and b['claims'][0]['bounds'] and b['claims'][0]['statistics']" "$tmp/base.json" || fail "baseline content"

# Unchanged: a new run against its own baseline.
"$bin" check --claims 'arda2026.lemma3*' --seed 11 --baseline "$tmp/base.json" --out "$tmp/again" 2>"$tmp/err"
[ $? -eq 0 ] || { cat "$tmp/err"; fail "unchanged run must exit 0"; }
grep -q "0 regression(s)" "$tmp/err" || fail "no regression count printed"

# tamper KIND PYTHON-EXPRESSION-ON-b: writes $tmp/t.json
tamper() { python3 - "$tmp/base.json" "$tmp/t.json" "$1" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
c = b["claims"][0]
exec(sys.argv[3])
json.dump(b, open(sys.argv[2], "w"))
PY
}
expect_regression() {  # kind, then the command
  local kind="$1"; shift
  "$@" >/dev/null 2>"$tmp/err"; local rc=$?
  [ $rc -eq 1 ] || { cat "$tmp/err"; fail "$kind regression: exit $rc, expected 1"; }
  grep -q "^REGRESSION .*: $kind '" "$tmp/err" || { cat "$tmp/err"; fail "$kind regression not listed"; }
  grep -q -- "->" "$tmp/err" || fail "$kind regression lacks old -> new values"
}

# A bound changed beyond its stored digits (through a fresh check run).
tamper 'c["bounds"][0]["value"] = "%.11e" % (float(c["bounds"][0]["value"]) * (1 + 1e-9))'
expect_regression bound "$bin" check --claims 'arda2026.lemma3*' --seed 11 --baseline "$tmp/t.json" --out "$tmp/t1"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['baseline']['regressions'][0]['kind']=='bound'" "$tmp/t1/results.json" || fail "regression not in results.json"
# A statistic outside its band (comparing the stored results, no rerun).
tamper 's = c["statistics"][0]; s["value"] += 1.01 * s["band"] + 1e-12'
expect_regression statistic "$bin" report --in "$tmp/run/results.json" --baseline "$tmp/t.json" --out "$tmp/t2"
# A claim that held and no longer does: the stored run's verdict differs from a baseline that says "holds".
python3 - "$tmp/run/results.json" "$tmp/inconclusive.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["claims"][0]["verdict"] == "holds", r["claims"][0]["verdict"]
r["claims"][0]["verdict"] = "inconclusive"
r["summary"]["holds"] -= 1; r["summary"]["inconclusive"] += 1
json.dump(r, open(sys.argv[2], "w"))
PY
expect_regression verdict "$bin" report --in "$tmp/inconclusive.json" --baseline "$tmp/base.json" --out "$tmp/t3"
# junit.xml carries the regression as a failed testcase (read by python3-junitparser when present).
for py in python3 /usr/bin/python3; do
  if $py -c "import junitparser" 2>/dev/null; then
    $py - "$tmp/t2/junit.xml" <<'PY' || fail "junit.xml lacks the regression failure"
import sys
from junitparser import JUnitXml, Failure
cases = [c for s in JUnitXml.fromfile(sys.argv[1]) for c in s]
reg = [c for c in cases if c.classname == "attnbound.baseline"]
assert len(reg) == 1 and any(isinstance(r, Failure) and "1 regression" in r.message for r in reg[0].result), reg
PY
    break
  fi
done
# A bound or statistic the baseline has and the run lacks.
tamper 'c["statistics"].append({"name": "a statistic nobody reports", "value": 1.0, "band": 0.1})'
expect_regression missing "$bin" report --in "$tmp/run/results.json" --baseline "$tmp/t.json" --out "$tmp/t4"

# Bad baseline files: one line, exit 2, before any run.
bad() {  # description, file
  "$bin" check --claims 'arda2026.lemma3*' --seed 11 --baseline "$2" --out "$tmp/bad" >/dev/null 2>"$tmp/err"; local rc=$?
  [ $rc -eq 2 ] || fail "$1: exit $rc, expected 2"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "$1: expected one line"; }
  [ ! -e "$tmp/bad/results.json" ] || fail "$1: the run should not have started"
}
bad "missing file" "$tmp/nope.json"
head -c 200 "$tmp/base.json" >"$tmp/trunc.json"; bad "truncated" "$tmp/trunc.json"
echo '{"schema": "attnbound.results/2"}' >"$tmp/schema.json"; bad "wrong schema" "$tmp/schema.json"
tamper 'b["seed"] = 12'; bad "other seed" "$tmp/t.json"
tamper 'b["profile"] = "full"'; bad "other profile" "$tmp/t.json"
"$bin" report --in "$tmp/run/results.json" --baseline "$tmp/trunc.json" --out "$tmp/bad2" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "report with a truncated baseline must exit 2"
"$bin" baseline --in "$tmp/trunc.json" --out "$tmp/b2.json" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -e "$tmp/b2.json" ] || fail "baseline from a non-results file must exit 2 and write nothing"
echo "ok: unchanged run clean; bound, statistic, verdict and missing regressions caught; bad baselines refused"
