#!/usr/bin/env bash
# The README's pictures of `alu backtest --report` and `--png`, and of `alu compare --report`, on
# the bundled sample.
# Needs the project installed (pip install -e ".[dev]") and Debian's chromium.
# Usage: bash docs/make_screenshots.sh  (writes docs/report-*.png, docs/png-*.png and
#                                         docs/compare-report-sample.png)
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

ALU_HOME="$tmp/home" alu compare --strategy spread --grid deadband=1:8 \
    --grid spread_change_days=5:25:5 --split 0.6 --walk-forward 4 \
    --report "$tmp/compare.html" >/dev/null
python bench/browser.py screenshot "$tmp/compare.html" docs/compare-report-sample.png \
    --size 1400,3300
ls -l docs/*.png
