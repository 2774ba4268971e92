#!/usr/bin/env bash
# CTest wrapper of pages.test.mjs (docs/web.md). Without chromium or the npm packages it skips
# (exit 77) with one line saying what to run, unless CI is set: CI installs them with
# scripts/web-deps, so there a missing browser is a failure, not a skip.
set -euo pipefail
bin="$1"; shots="$2"
here="$(cd "$(dirname "$0")" && pwd)"
chromium="${CHROMIUM:-/usr/bin/chromium}"
missing=""
[ -x "$chromium" ] || missing=" $chromium"
command -v node >/dev/null || missing="$missing node"
[ -d "$here/node_modules/playwright-core" ] && [ -d "$here/node_modules/axe-core" ] ||
  missing="$missing tests/web/node_modules (playwright-core, axe-core)"
if [ -n "$missing" ]; then
  if [ -z "${CI:-}" ]; then
    echo "SKIPPED: web page tests need$missing; run scripts/web-deps to install them"
    exit 77
  fi
  echo "FAILED: CI is set but$missing is missing (scripts/web-deps installs it)"
  exit 1
fi
exec node "$here/pages.test.mjs" "$bin" "$shots"
