#!/usr/bin/env bash
# The README's pictures of `alu backtest --report` and `--png` on the bundled sample.
# Needs the project installed (pip install -e ".[dev]") and Debian's chromium.
# Usage: bash docs/make_screenshots.sh        (writes docs/report-*.png and docs/png-*.png)
set -euo pipefail
cd "$(dirname "$0")/.."

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/home"  # an empty local store: the bundled sample is used

ALU_HOME="$tmp/home" alu backtest --report "$tmp/report.html" --png "$tmp/png" >/dev/null
python bench/browser.py screenshot "$tmp/report.html" docs/report-sample.png --size 1400,2300
python bench/browser.py screenshot "$tmp/report.html" docs/report-sample-tables.png \
    --size 1400,1000 --hide "#timeline"
cp "$tmp/png/AA.png" docs/png-sample-AA.png
ls -l docs/*.png
