#!/usr/bin/env bash
# Installs what policypack needs when it is missing, and nothing when it is all there:
# the npm dependencies (from package-lock.json) and, on Debian/Ubuntu, a headless Chromium
# for PDFs and poppler-utils, which the tests use to read PDFs back.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm dependencies: install when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  # npm ci, as every CI does: it installs exactly the lock file and fails if package.json disagrees.
  npm ci --no-audit --no-fund --loglevel=error
fi

# System packages, Debian/Ubuntu only.
need=()
if [ -z "${CHROME_PATH:-}" ] && ! command -v chromium-headless-shell >/dev/null && ! command -v chromium >/dev/null; then
  need+=(chromium-headless-shell)
fi
command -v pdftotext >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "setup: please install ${need[*]} (or set CHROME_PATH to a Chromium/Chrome binary)" >&2
    exit 2
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${need[*]} with apt-get" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
