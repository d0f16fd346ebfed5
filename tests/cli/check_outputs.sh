#!/usr/bin/env bash
# `check` writes results.json (valid, schema-tagged, no NaN) and report.md; `run --json`
# prints exactly one JSON document on stdout; the same seed gives the same results.
set -eu
bin="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" check --claims 'arda2026.lemma3*' --seed 7 --out "$tmp/a" 2>/dev/null || { echo "check failed"; exit 1; }
"$bin" check --claims 'arda2026.lemma3*' --seed 7 --jobs 2 --out "$tmp/b" 2>/dev/null || { echo "check failed"; exit 1; }
test -s "$tmp/a/report.md"
python3 - "$tmp/a/results.json" "$tmp/b/results.json" <<'PY'
import json, sys
def load(p):
    txt = open(p).read()
    assert "NaN" not in txt and "Infinity" not in txt
    return json.loads(txt)
a, b = load(sys.argv[1]), load(sys.argv[2])
assert a["schema"] == "attnbound.results/2"
assert a["summary"]["total"] == 1 and a["claims"][0]["verdict"] in ("holds", "violated", "inconclusive", "vacuous")
strip = lambda c: {k: v for k, v in c.items() if k != "seconds"}
assert [strip(c) for c in a["claims"]] == [strip(c) for c in b["claims"]], "jobs 1 vs 2 differ"
print("ok", a["claims"][0]["summary"])
PY
"$bin" run arda2026.lemma3.linearization -p n=20 -p widths=8,16,32 -p seeds=2 --json >"$tmp/run.json" 2>"$tmp/run.err"
python3 -c "import json,sys; json.load(open(sys.argv[1])); print('ok run --json')" "$tmp/run.json"
"$bin" report --in "$tmp/a/results.json" --out "$tmp/rep"
test -s "$tmp/rep/report.md"
