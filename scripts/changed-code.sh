#!/usr/bin/env bash
# Prints `code=true` when the change since BASE (a git revision) touches anything but the data (records,
# citations.bib, the files of found facts), else `code=false`: the check workflow runs the whole test
# suite only for the former, and a data-only pull request is answered by the records job alone.
set -euo pipefail
BASE="${1:?usage: scripts/changed-code.sh BASE}"
DATA='^(papers/|challenges/|citations\.bib$|scripts/(facts|papers|sources)/)'
if git diff --name-only "$BASE...HEAD" | grep -qvE "$DATA"; then
  echo "code=true"
else
  echo "code=false"
fi
