#!/usr/bin/env bash
# Downloads the results of the last successful nightly into DIR (GitHub CLI; needs GH_TOKEN with actions:read).
# Absent (first run, expired artifact): DIR stays empty and the comparison is skipped.
set -euo pipefail
dir=${1:?target folder}
mkdir -p "$dir"
id=$(gh run list --workflow nightly.yml --status success --limit 1 --json databaseId --jq '.[0].databaseId' 2>/dev/null || true)
if [ -z "$id" ]; then
  echo "No successful nightly yet; the regression check will be skipped."
  exit 0
fi
gh run download "$id" --name meshbench-results --dir "$dir" || echo "Run $id has no meshbench-results artifact; the regression check will be skipped."
