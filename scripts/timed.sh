#!/usr/bin/env bash
# Runs one stage of `make test`, announcing it and recording its wall time:
#   scripts/timed.sh <stage-name> <command> [args...]
# Times go to target/stage-times.txt (reset by `make test`), printed at the end.
set -euo pipefail
name="$1"
shift
times="${STAGE_TIMES:-target/stage-times.txt}"
mkdir -p "$(dirname "$times")"
echo "==> $name"
start=$(date +%s)
status=0
"$@" || status=$?
secs=$(( $(date +%s) - start ))
if (( status == 0 )); then
    echo "<== $name: ok (${secs}s)"
    printf '%-16s %5ss  ok\n' "$name" "$secs" >>"$times"
else
    echo "<== $name: FAILED (exit $status, ${secs}s)" >&2
    printf '%-16s %5ss  FAILED\n' "$name" "$secs" >>"$times"
fi
exit "$status"
