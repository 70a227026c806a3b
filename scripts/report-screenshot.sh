#!/usr/bin/env bash
# Render a bench report in headless Chromium and save a screenshot for the
# README: installs chromium when missing (Debian package, as root), runs a
# short bench against the embedded broker with --report, and screenshots the
# report with no network.
#
# Usage: scripts/report-screenshot.sh [OUT.png]     (default docs/bench-report.png)
set -euo pipefail
cd "$(dirname "$0")/.."

export LOG_TAG=report-screenshot
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. scripts/lib/common.sh

out="${1:-docs/bench-report.png}"
apt_install_missing chromium

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
go build -o "$work/stampede" ./cmd/stampede
log "running a short bench against the embedded broker"
"$work/stampede" bench --producers 2 --consumers 2 --rate 5000 --duration 6s --warmup 2s \
  --quiet --json "$work/run.json" --report "$work/report.html" >"$work/summary.txt"

mkdir -p "$(dirname "$out")"
log "screenshot of the report into $out"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --screenshot="$out" --window-size=1280,2400 \
  "file://$work/report.html" 2>"$work/chromium.log" || { log_tail "$work/chromium.log"; die "chromium failed"; }
[ -s "$out" ] || die "no screenshot written"
log "ok: $out"
