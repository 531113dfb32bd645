#!/usr/bin/env bash
# Run the whole suite N times in a row (default 20), stopping at the first failure: the check
# that no test is flaky. Each run's output is kept in LOGDIR (default ./suite-loop-logs), one
# line per run in LOGDIR/summary.txt. Runs at low priority, so the machine stays usable:
#     scripts/suite-loop.sh [N] [LOGDIR]
set -u
runs=${1:-20}
logs=${2:-suite-loop-logs}
mkdir -p "$logs"
: > "$logs/summary.txt"
for i in $(seq 1 "$runs"); do
    start=$(date +%s)
    if nice -n 15 make test PYTEST_ARGS="-q -p no:cacheprovider" > "$logs/run$i.log" 2>&1; then
        echo "run $i passed in $(( $(date +%s) - start )) s: $(tail -1 "$logs/run$i.log")" | tee -a "$logs/summary.txt"
    else
        echo "run $i FAILED in $(( $(date +%s) - start )) s: $(tail -1 "$logs/run$i.log")" | tee -a "$logs/summary.txt"
        exit 1
    fi
done
echo "$runs runs in a row passed" | tee -a "$logs/summary.txt"
