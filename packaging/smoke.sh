#!/usr/bin/env bash
# Smoke-test a frozen Linkdesk as a user would run it, with no network and an empty home:
#     packaging/smoke.sh CLI [GUI]
# CLI is the command-line executable (dist/linkdesk/linkdesk, or the single-file build);
# GUI the window one (default: CLI with no command). Checks: --version, --self-test (imports,
# Qt offscreen, icon, QR, history, sandbox), one link against the built-in sandbox, the window
# opened offscreen and closed, and, where xvfb-run exists, the window on a real X server through
# the xcb plugin (catches a library the trimmed build left out). Exits non-zero on any failure.
set -euo pipefail
cli=$1
gui=${2:-$1}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME=$scratch XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data LINKDESK_DATA_DIR=$scratch/linkdesk
unset STRIPE_API_KEY LINKDESK_API_BASE || true

step() { printf '\n== %s\n' "$*"; }

step "$cli --version"
"$cli" --version

step "$cli --self-test"
"$cli" --self-test 2>"$scratch/selftest.err"
# Nothing may go to stderr either (a library logging a module it could not load, a Qt warning).
if [ -s "$scratch/selftest.err" ]; then echo "the self-test wrote to stderr:" >&2; cat "$scratch/selftest.err" >&2; exit 1; fi

step "$cli link … --sandbox --json"
"$cli" link acct_1LdCustomDue0001 --sandbox --json --type account_onboarding \
    --refresh-url https://example.com/reauth --return-url https://example.com/return > "$scratch/link.json"
# The link URL is a secret: check the answer's shape, print only its expiry.
grep -q '"url": "https://' "$scratch/link.json"
grep -o '"expires_at": [0-9]*' "$scratch/link.json"

step "$gui (window, offscreen, closed after 1.5 s)"
out=$(QT_QPA_PLATFORM=offscreen LINKDESK_REPORT_SHOWN=1 LINKDESK_TEST_CLOSE_AFTER_MS=1500 "$gui")
grep -q '^shown ' <<<"$out" || { echo "the window never painted: $out" >&2; exit 1; }
echo "window painted and closed (exit 0)"

if command -v xvfb-run >/dev/null; then
    step "$gui (window on Xvfb through the xcb plugin)"
    out=$(QT_QPA_PLATFORM=xcb LINKDESK_REPORT_SHOWN=1 LINKDESK_TEST_CLOSE_AFTER_MS=1500 \
        xvfb-run -a -s "-screen 0 1600x1000x24" "$gui" 2>"$scratch/xcb.err") || { cat "$scratch/xcb.err" >&2; exit 1; }
    grep -q '^shown ' <<<"$out" || { echo "no paint under Xvfb: $out" >&2; cat "$scratch/xcb.err" >&2; exit 1; }
    echo "window painted on X11 and closed (exit 0)"
else
    step "xvfb-run not installed: the X11 check is skipped"
fi
echo
echo "smoke test passed: $cli"
