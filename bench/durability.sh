#!/usr/bin/env bash
# The cost of durability on W3 (running state, WORKLOADS.md), measured back to back in one run:
#   W3 checkpoints        queue input, state saved every 10 s (the default) + a metadata checkpoint per batch
#   W3 rare-checkpoints   queue input, state saved every 1000 s (so: never within the run)
#   W3 receiver wal-off   the same batches through a receiver (local[3]: one core receives), no write-ahead log
#   W3 receiver wal-on    the same, every block written and hsync'ed to the received-data log before it counts
# Usage: bench/durability.sh [rounds]   (default 1; rounds alternate the variants A B C D A B C D ...)
# Prints one line per run: "<variant> W3 median_ms=... p90_ms=... records_per_s=... peak_rss_mb=..."
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rounds="${1:-1}"
run() {
  local name="$1"; shift
  local line
  line=$(env "$@" "$here/run.sh" W3)
  echo "$name $line"
  SLUICE_BENCH_NO_BUILD=1
  export SLUICE_BENCH_NO_BUILD
}
for ((r = 1; r <= rounds; r++)); do
  run checkpoints        JAVA_OPTS=""
  run rare-checkpoints   JAVA_OPTS="-Dsluice.bench.checkpointInterval=1000"
  run receiver-wal-off   SLUICE_BENCH_MASTER="local[3]" JAVA_OPTS="-Dsluice.bench.source=receiver"
  run receiver-wal-on    SLUICE_BENCH_MASTER="local[3]" \
      JAVA_OPTS="-Dsluice.bench.source=receiver -Dsluice.streaming.receiver.writeAheadLog.enable=true"
done
