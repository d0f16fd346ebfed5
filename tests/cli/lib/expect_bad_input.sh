# Sourced by the tests/cli scripts (not a test itself: ctest globs tests/cli/*.sh only).
# expect_bad_input WHAT COMMAND...: the command must reject its input the CLI-contract way: exit 2,
# exactly one line on stderr, nothing on stdout, within 60 s. Prints "ok [WHAT]: <the line>" or
# "FAIL [WHAT]: ..." with stderr, and returns non-zero on failure.
expect_bad_input() {
  local what="$1"; shift
  local out err rc lines
  out=$(mktemp); err=$(mktemp)
  timeout 60 "$@" >"$out" 2>"$err"
  rc=$?
  lines=$(wc -l <"$err")
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || [ -s "$out" ]; then
    echo "FAIL [$what]: rc=$rc, stderr lines=$lines, stdout bytes=$(wc -c <"$out")"; cat "$err"
    rm -f "$out" "$err"
    return 1
  fi
  echo "ok   [$what]: $(cat "$err")"
  rm -f "$out" "$err"
}
