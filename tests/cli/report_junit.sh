#!/usr/bin/env bash
# junit.xml read by a JUnit consumer (python3-junitparser) and checked for well-formedness
# (xmllint, else Python's expat): one testsuite, one testcase per claim, the documented
# verdict mapping (violated -> failure naming the worst configuration and replay seed,
# internal error -> error, inconclusive -> skipped, holds and vacuous -> passed), and the
# bound, measured value, verdict, status and replay seed of each claim as properties,
# equal to results.json's values.
set -eu
bin="$1"
here="$(cd "$(dirname "$0")" && pwd)"
fixture="$here/../data/report_fixture_results.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c "import junitparser" 2>/dev/null; then python="$p"; break; fi
done
[ -n "$python" ] || { echo "python3-junitparser is not installed (scripts/setup.sh installs it)"; exit 1; }

"$bin" report --in "$fixture" --out "$tmp/out" 2>"$tmp/err" || { echo "report failed:"; cat "$tmp/err"; exit 1; }
xml="$tmp/out/junit.xml"
if command -v xmllint >/dev/null; then
  xmllint --noout "$xml" || { echo "junit.xml is not well-formed XML"; exit 1; }
else
  "$python" -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$xml" || { echo "junit.xml is not well-formed XML"; exit 1; }
fi

"$python" - "$fixture" "$xml" <<'PY'
import json, sys
import xml.etree.ElementTree as ET
from junitparser import JUnitXml, Failure, Error, Skipped

results = json.load(open(sys.argv[1]))
claims = {c["id"]: c for c in results["claims"]}
xml = JUnitXml.fromfile(sys.argv[2])
suites = list(xml)
assert len(suites) == 1, f"{len(suites)} testsuites, one expected"
suite = suites[0]
cases = list(suite)
assert [c.name for c in cases] == list(claims), "one testcase per claim, in order"
n_fail = sum(1 for c in claims.values() if c["verdict"] == "violated" and "error" not in c)
n_err = sum(1 for c in claims.values() if "error" in c)
n_skip = sum(1 for c in claims.values() if c["verdict"] == "inconclusive" and "error" not in c)
assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (len(claims), n_fail, n_err, n_skip), \
    (suite.tests, suite.failures, suite.errors, suite.skipped)
assert n_fail and n_err and n_skip, "the fixture must exercise every outcome"

# Properties per testcase (junitparser 2.8 reads suite properties only: ElementTree for these).
tree = ET.parse(sys.argv[2])
props = {tc.get("name"): {p.get("name"): p.get("value") for p in tc.iter("property")}
         for tc in tree.iter("testcase")}

def same_number(text, value):
    return text == "null" if value is None else abs(float(text) - value) <= 1e-15 * max(1.0, abs(value))

for case in cases:
    c = claims[case.name]
    assert case.classname == c["id"].split(".")[0], case.classname
    p = props[case.name]
    for key in ("verdict", "status", "bound_name", "measured_name"):
        assert p[key] == c[key], (case.name, key, p[key])
    assert same_number(p["bound"], c["bound"]) and same_number(p["measured"], c["measured"]), (case.name, p)
    seed = str(c["worst"].get("seed", results["seed"]))
    assert p["replay_seed"] == seed, (case.name, p["replay_seed"])
    outcome = [type(r) for r in case.result]
    if "error" in c:
        assert outcome == [Error], (case.name, outcome)
        assert c["error"] in case.result[0].message
    elif c["verdict"] == "violated":
        assert outcome == [Failure], (case.name, outcome)
        msg = case.result[0].message
        for k, v in c["worst"].items():
            if k not in ("what", "value", "seed"):
                assert f"{k}={v}" in msg, (k, msg)
        assert f"replay seed {seed}" in msg, msg
    elif c["verdict"] == "inconclusive":
        assert outcome == [Skipped], (case.name, outcome)
        assert case.result[0].message.startswith("inconclusive"), case.result[0].message
    else:
        assert outcome == [], (case.name, outcome)  # holds and vacuous pass
        assert p["verdict"] in ("holds", "vacuous")
print(f"ok: {len(cases)} testcases, {n_fail} failure, {n_err} error, {n_skip} skipped")
PY
