#!/usr/bin/env bash
# The nightly's steps, runnable by hand on any machine with Docker:
#   ci/nightly.sh run DIR                 kind bench into DIR (default: run), profile from $PROFILE (default standard)
#   ci/nightly.sh compare OLD NEW         exit 1 when NEW regressed beyond the noise against OLD (skipped without OLD)
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-run}
case "$cmd" in
  run)
    out=${2:-run}
    # Every mesh that runs on kind (none, linkerd, consul; custom joins when its Kubernetes form lands).
    npm run bench -- --platform kind --workload online-boutique --profile "${PROFILE:-standard}" --out "$out"
    ;;
  compare)
    old=${2:?old run folder}; new=${3:?new run folder}
    if [ ! -f "$old/results.json" ]; then
      echo "No previous nightly results in $old: nothing to compare against (first run?)."
      exit 0
    fi
    npm run report -- --compare "$old" "$new" --out "$new/compare" --fail-on-regression
    ;;
  *)
    echo "usage: ci/nightly.sh run [DIR] | compare OLD NEW" >&2
    exit 2
    ;;
esac
