#!/usr/bin/env bash
# Build (if needed) and run Sluice benchmark workloads (../shared/bench/WORKLOADS.md).
# Usage: bench/run.sh W1|W2|W3|W4|all [--cluster] [batches discard]
#   --cluster   run on the local-cluster backend (executor JVMs) instead of local[2];
#               master from SLUICE_BENCH_CLUSTER_MASTER (default local-cluster[2,1,1024])
# Prints one line per workload on stdout:
#   W1 median_ms=... p90_ms=... records_per_s=... peak_rss_mb=...
# Per-batch timings (the JVM's stderr) go to bench/logs/<W>-<timestamp>.log, peak RSS from /usr/bin/time -v.
# Env: SLUICE_BENCH_MASTER (default local[2]), HEAP_OPTS (default "-Xms4g -Xmx4g"), JAVA_OPTS (extra JVM flags, e.g. JFR),
#      MVN_FLAGS (extra Maven flags, e.g. -o), SLUICE_BENCH_NO_BUILD=1 (use what is built).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

usage() { echo "usage: $0 W1|W2|W3|W4|all [--cluster] [batches discard]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
case "$1" in
  all) WL=(W1 W2 W3 W4) ;;
  W1|W2|W3|W4) WL=("$1") ;;
  *) usage ;;
esac
shift
MASTER="${SLUICE_BENCH_MASTER:-local[2]}"
EXTRA=()
for a in "$@"; do
  case "$a" in
    --cluster) MASTER="${SLUICE_BENCH_CLUSTER_MASTER:-local-cluster[2,1,1024]}" ;;
    [0-9]*) EXTRA+=("$a") ;;
    *) usage ;;
  esac
done

jar="$here/target/sluice-bench-0.1.0-SNAPSHOT.jar"
if [[ -z "${SLUICE_BENCH_NO_BUILD:-}" ]]; then
  if [[ ! -f "$jar" || ! -d "$here/target/lib" ]] \
     || [[ -n "$(find "$root/pom.xml" "$root/runtime/pom.xml" "$root/runtime/src/main" "$here/pom.xml" "$here/src/main" \
                 -newer "$jar" -print -quit)" ]]; then
    echo "building bench (mvn package -pl bench -am) ..." >&2
    (cd "$root" && mvn -q -B ${MVN_FLAGS:-} -DskipTests package -pl bench -am >&2)
  fi
fi
[[ -f "$jar" ]] || { echo "bench is not built: $jar missing" >&2; exit 1; }

read -r -a HEAP <<< "${HEAP_OPTS:--Xms4g -Xmx4g}"
read -r -a JOPTS <<< "${JAVA_OPTS:-}"
# Kryo ships tasks and lambdas to executor JVMs on local-cluster: the driver needs the same opens as the executors
OPENS=(--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.lang.invoke=ALL-UNNAMED
       --add-opens java.base/java.util=ALL-UNNAMED)
CP="$jar:$here/target/lib/*"
TIME=()
[[ -x /usr/bin/time ]] && TIME=(/usr/bin/time -v -o)

mkdir -p "$here/logs"
failed=0
for W in "${WL[@]}"; do
  ts=$(date +%Y%m%d-%H%M%S)
  log="$here/logs/$W-$ts.log"
  if [[ ${#TIME[@]} -gt 0 ]]; then
    out=$("${TIME[@]}" "$log.time" java "${HEAP[@]}" "${OPENS[@]}" "${JOPTS[@]}" -Dsluice.bench.master="$MASTER" \
          -Dsluice.bench.externalRss=true -cp "$CP" io.sluice.bench.Bench "$W" "${EXTRA[@]}" 2>"$log") \
      || { echo "$W failed; see $log" >&2; tail -5 "$log" >&2; failed=1; continue; }
    rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$log.time")
    echo "$out peak_rss_mb=$((rss_kb / 1024))"
  else
    # no /usr/bin/time: the JVM reports its own VmHWM
    java "${HEAP[@]}" "${OPENS[@]}" "${JOPTS[@]}" -Dsluice.bench.master="$MASTER" -cp "$CP" io.sluice.bench.Bench "$W" "${EXTRA[@]}" \
      2>"$log" || { echo "$W failed; see $log" >&2; tail -5 "$log" >&2; failed=1; continue; }
  fi
done
exit "$failed"
