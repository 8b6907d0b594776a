#!/usr/bin/env bash
# What the browser tests (tests/browser) need besides Python: Debian's chromium and a
# Java runtime (for the Nu HTML Checker), then axe-core and vnu-jar from npm, pinned by
# tests/browser/package-lock.json. Installs only what is missing; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >&2
fi
if [ ! -f tests/browser/node_modules/.package-lock.json ] ||
  [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund >&2
fi
