#!/usr/bin/env bash
# A real browser renders report.html: `attnbound report` on a fixture covering every verdict
# (holds, violated, inconclusive, vacuous, internal error), log-log and linear figures, null
# values and a figure without data; headless Chromium opens a copy of report.html alone in
# an empty directory (so anything not embedded fails to load), takes a screenshot and dumps
# the DOM. Checked: every plot image is displayed (the page's own script marks each <img>
# data-state="loaded"/"failed"), their number equals the fixture's figures that have data,
# the page made no network request (Chromium's net log), and logged nothing on the console
# (no error, no CSP violation). A negative control (a tampered copy with an external image,
# a console error and no CSP) must trip all three checks, so the test can fail.
# Skipped (exit 77) with a clear message where Chromium is not installed.
set -eu
bin="$1"
here="$(cd "$(dirname "$0")" && pwd)"
fixture="$here/../data/report_fixture_results.json"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "SKIPPED: chromium not installed (scripts/setup.sh installs the Debian package 'chromium')"
  exit 77
fi
python=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" report --in "$fixture" --out "$tmp/report" 2>"$tmp/report.err" ||
  { echo "attnbound report failed:"; cat "$tmp/report.err"; exit 1; }
test -s "$tmp/report/report.html" || { echo "no report.html"; exit 1; }

# Outputs a person can look at after the test: the screenshot and the rendered report.
keep="${ATTNBOUND_REPORT_KEEP:-$PWD/report-browser}"
rm -rf "$keep" && mkdir -p "$keep" && cp -r "$tmp/report/." "$keep/"
shot="$keep/screenshot.png"

# open_page HTML NAME: renders HTML alone in an empty directory; leaves NAME.{dom,err,net}.
open_page() {
  local dir="$tmp/$2-page"
  mkdir -p "$dir" && cp "$1" "$dir/report.html"
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --disable-extensions --disable-default-apps \
    --no-first-run --no-default-browser-check --mute-audio --hide-scrollbars \
    --user-data-dir="$tmp/$2-profile" --enable-logging=stderr --v=0 \
    --log-net-log="$tmp/$2.net" --window-size=1280,2400 --screenshot="$tmp/$2.png" \
    --dump-dom "file://$dir/report.html" >"$tmp/$2.dom" 2>"$tmp/$2.err" ||
    { echo "chromium failed on $2 (exit $?):"; grep -v dbus "$tmp/$2.err" | tail -20; exit 1; }
}
open_page "$tmp/report/report.html" real
cp "$tmp/real.png" "$shot"

# Negative control: an external image, a console error, no Content-Security-Policy.
$python - "$tmp/report/report.html" "$tmp/control.html" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
html = html.replace("</main>", '<img class="plot-img" alt="control" src="http://127.0.0.1:9/control.png">'
                    '<script>console.error("negative control")</script></main>', 1)
open(sys.argv[2], "w", encoding="utf-8").write(html)
PY
open_page "$tmp/control.html" control

$python - "$fixture" "$tmp" <<'PY'
import json, math, re, sys
fixture, tmp = sys.argv[1], sys.argv[2]

def expected_plots(results):
    """Figures with at least one point gnuplot can draw (finite; positive on a log axis)."""
    n = 0
    for c in results["claims"]:
        for f in c.get("figures", []):
            ok = False
            for s in f["series"]:
                for x, y in zip(s["x"], s["y"]):
                    if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
                        continue
                    if (f.get("logx") and x <= 0) or (f.get("logy") and y <= 0):
                        continue
                    ok = True
            n += ok
    return n

def page_requests(netlog):
    """URLs the page asked the network for. Chromium's own background requests (update
    checks, network time) carry no page origin: initiator 'not an origin' and a network
    isolation key that is not the file:// page's."""
    try:
        d = json.load(open(netlog))
    except ValueError:  # cut short: close the event list
        d = json.loads(open(netlog).read().rstrip().rstrip(",") + "]}")
    names = {v: k for k, v in d["constants"]["logEventTypes"].items()}
    urls = []
    for e in d.get("events", []):
        p = e.get("params") or {}
        url = p.get("url", "")
        if names.get(e["type"]) != "URL_REQUEST_START_JOB" or not re.match(r"(https?|wss?|ftp)://", url):
            continue
        if p.get("initiator") == "not an origin" and "file://" not in p.get("network_isolation_key", ""):
            continue
        urls.append(url)
    return urls

def problems(name, n_expected):
    dom = open(f"{tmp}/{name}.dom", encoding="utf-8").read()
    err = open(f"{tmp}/{name}.err", encoding="utf-8", errors="replace").read()
    imgs = re.findall(r"<img\b[^>]*>", dom)
    states = [re.search(r'data-state="(\w+)"', i) for i in imgs]
    loaded = sum(1 for s in states if s and s.group(1) == "loaded")
    out = []
    if len(imgs) != n_expected or loaded != n_expected:
        out.append(f"plots: {loaded} of {len(imgs)} images displayed, {n_expected} expected")
    if any(s is None or s.group(1) != "loaded" for s in states):
        out.append("plots: an image failed to display or was never checked")
    reqs = page_requests(f"{tmp}/{name}.net")
    if reqs:
        out.append(f"network: the page requested {reqs}")
    console = [l for l in err.splitlines() if ":CONSOLE" in l or "Uncaught" in l]
    if console:
        out.append(f"console: {console}")
    png = open(f"{tmp}/{name}.png", "rb").read()
    if not png.startswith(b"\x89PNG") or len(png) < 10000:
        out.append("screenshot missing or blank")
    return out

n = expected_plots(json.load(open(fixture)))
assert n >= 4, n
real = problems("real", n)
if real:
    print("report.html in Chromium:\n  " + "\n  ".join(real))
    sys.exit(1)
control = problems("control", n + 1)
kinds = {p.split(":")[0] for p in control}
if kinds != {"plots", "network", "console"}:
    print(f"negative control not caught (got {sorted(kinds)}): the checks cannot fail as they should")
    sys.exit(1)
print(f"ok: {n} plots displayed, no network request, no console message; "
      f"the negative control trips {sorted(kinds)}")
PY
echo "screenshot: $shot"
echo "report: $keep/report.html"
