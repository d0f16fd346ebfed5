#!/usr/bin/env bash
# Bad input never crashes, hangs or writes half a file: one line on stderr, exit 2.
set -u
bin="$1"
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib/expect_bad_input.sh"
expect2() { expect_bad_input "$@" || fail=1; }
B="$bin bound arda2026.theorem1"
expect2 "unknown bound id"        $bin bound no.such.bound
expect2 "unknown claim id"        $bin run no.such.claim
expect2 "unknown key"             $B -p foo=1
expect2 "malformed assignment"    $B -p m
expect2 "odd m"                   $B -p m=63
expect2 "non-positive m"          $B -p m=0
expect2 "negative m"              $B -p m=-4
expect2 "fractional m"            $B -p m=6.5
expect2 "delta = 0"               $B -p delta=0
expect2 "delta = 1"               $B -p delta=1
expect2 "delta > 1"               $B -p delta_prime=1.5
expect2 "NaN"                     $B -p rho_c=nan
expect2 "inf"                     $B -p nu_w=inf
expect2 "hex"                     $B -p d=0x10
expect2 "empty value"             $B -p n=
expect2 "negative rho"            $B -p rho_u=-3
expect2 "absurd d"                $B -p d=1e300
expect2 "digits 0"                $B --digits 0
expect2 "digits huge"             $B --digits 99999999
expect2 "unknown subcommand"      $bin frobnicate
expect2 "no subcommand"           $bin
expect2 "odd width in list"       $bin run arda2026.lemma3.linearization -p widths=8,9
expect2 "empty list item"         $bin run arda2026.lemma3.linearization -p widths=8,,16
expect2 "repeated list value"     $bin run arda2026.lemma3.linearization -p widths=8,8,16
expect2 "too few widths for a fit" $bin run arda2026.theorem1.projgd -p widths=8,16
expect2 "odd teacher pool"        $bin run arda2026.lemma5.approximation -p pool=1001
expect2 "more anchors than samples" $bin run arda2026.lemma5.approximation -p n=10 -p R=16
expect2 "T out of range"          $bin run arda2026.t-independence -p Ts=4,100000000
expect2 "memory refused"          $bin run arda2026.t-independence -p n=10000000 -p Ts=1024
expect2 "bad profile"             $bin check --profile huge --out "$tmp/o1"
expect2 "glob matches nothing"    $bin check --claims 'nothing.*' --out "$tmp/o2"
expect2 "unwritable out dir"      $bin check --claims 'arda2026.lemma3*' --out /proc/attnbound-cannot-write
expect2 "out dir is a file"       $bin check --claims 'arda2026.lemma3*' --out /dev/null/x
expect2 "jobs 0"                  $bin check --jobs 0
expect2 "unreadable results"      $bin report --in "$tmp/missing.json" --out "$tmp/r"
printf '{"schema": "attnbound.results/2", "claims": [' >"$tmp/trunc.json"
expect2 "truncated results"       $bin report --in "$tmp/trunc.json" --out "$tmp/r"
echo '{"schema": "other/9"}' >"$tmp/schema.json"
expect2 "schema mismatch"         $bin report --in "$tmp/schema.json" --out "$tmp/r"
echo '{"schema": "attnbound.results/2", "profile": "quick", "seed": 1, "summary": {}, "claims": [{}]}' >"$tmp/claims.json"
expect2 "malformed claims"        $bin report --in "$tmp/claims.json" --out "$tmp/r"
# Nothing half-written: the failed runs above left no files behind.
if [ -e "$tmp/o1/results.json" ] || [ -e "$tmp/o2/results.json" ] || [ -e "$tmp/r/report.md" ]; then
  echo "FAIL: a failed run left an output file"; fail=1
fi
exit $fail
