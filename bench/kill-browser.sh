#!/usr/bin/env bash
# Measures how long a build takes to end after its Chromium is killed: builds the example packs
# in a scratch copy, kills every Chromium process of the build DELAY seconds after Chromium
# appears, and prints the exit code and the seconds from the kill to the end of the build.
#   bash bench/kill-browser.sh [DELAY] [SIGNAL]      e.g. bash bench/kill-browser.sh 1.5 KILL
# SIGNAL STOP freezes the browser instead (the heartbeat must notice it).
set -u
delay=${1:-1}
signal=${2:-KILL}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$repo/policies" "$repo/orgs" "$work/"
cd "$work" || exit 2
node "$repo/bin/policypack.js" build --out out >"$work/log" 2>&1 &
build=$!
descendants() { for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$c"; descendants "$c"; done; }
chromium() { for p in $(descendants "$build"); do grep -qa chrom /proc/"$p"/cmdline 2>/dev/null && echo "$p"; done; }
while [ -z "$(chromium)" ] && kill -0 "$build" 2>/dev/null; do sleep 0.05; done
sleep "$delay"
pids=$(chromium)
start=$(date +%s.%N)
# shellcheck disable=SC2086
kill -"$signal" $pids 2>/dev/null
wait "$build"
code=$?
end=$(date +%s.%N)
echo "killed $(echo $pids | wc -w) Chromium processes with SIG$signal ${delay}s in; exit $code after $(echo "$end - $start" | bc) s"
grep -E "pdf-render|built|stopped|internal" "$work/log" | tail -4
