#!/usr/bin/env bash
# Runs Sluice (bench/run.sh) and the Spark Streaming baseline alternately (A B A B ...) on the same workloads and
# prints both result lines plus the ratio of median processing times Sluice/Spark for each round.
# Usage: bench/compare.sh W1|W2|W3|W4|all [rounds]      (rounds default 2)
# The baseline is ../shared/bench/spark-baseline/run.sh beside the repository (SPARK_BASELINE overrides).
# When ../shared/bench/java-floor/Floor.java exists (FLOOR_SRC overrides; FLOOR=0 skips it), the plain-Java floor
# runs third in each round and the ratio Sluice/floor is printed too.
# Env: HEAP_OPTS is passed to all of them (default "-Xms4g -Xmx4g").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
spark="${SPARK_BASELINE:-$root/../shared/bench/spark-baseline/run.sh}"

[[ $# -ge 1 ]] || { echo "usage: $0 W1|W2|W3|W4|all [rounds]" >&2; exit 2; }
case "$1" in
  all) WL=(W1 W2 W3 W4) ;;
  W1|W2|W3|W4) WL=("$1") ;;
  *) echo "usage: $0 W1|W2|W3|W4|all [rounds]" >&2; exit 2 ;;
esac
rounds="${2:-2}"
if [[ ! -f "$spark" ]]; then
  echo "Spark baseline not found at $spark (expected ../shared/bench/spark-baseline/ beside the repository;" \
       "set SPARK_BASELINE=/path/to/run.sh)" >&2
  exit 1
fi

floor_src="${FLOOR_SRC:-$root/../shared/bench/java-floor/Floor.java}"
floor_dir="${TMPDIR:-/tmp}/sluice-bench-floor"
if [[ "${FLOOR:-1}" != 0 && -f "$floor_src" ]]; then
  mkdir -p "$floor_dir" && javac -d "$floor_dir" "$floor_src" || { echo "could not compile $floor_src" >&2; exit 1; }
else
  floor_dir=""
fi
read -r -a HEAP <<< "${HEAP_OPTS:--Xms4g -Xmx4g}"

median_of() { sed -n 's/.* median_ms=\([0-9.]*\).*/\1/p' <<< "$1"; }

echo "# $(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')"
for W in "${WL[@]}"; do
  ratios=()
  for ((r = 1; r <= rounds; r++)); do
    s=$("$here/run.sh" "$W" | tail -1) || s=""
    k=$(bash "$spark" "$W" | tail -1) || k=""
    f=""
    [[ -n "$floor_dir" ]] && { f=$(java "${HEAP[@]}" -cp "$floor_dir" Floor "$W" | tail -1) || f=""; }
    echo "sluice $s"
    echo "spark  $k"
    [[ -n "$floor_dir" ]] && echo "floor  $f"
    ms=$(median_of "$s"); mk=$(median_of "$k")
    if [[ -n "$ms" && -n "$mk" ]]; then
      ratio=$(awk -v a="$ms" -v b="$mk" 'BEGIN { printf "%.3f", a / b }')
      ratios+=("$ratio")
      mf=$(median_of "$f")
      vs_floor=""
      [[ -n "$mf" ]] && vs_floor=" sluice/floor=$(awk -v a="$ms" -v b="$mf" 'BEGIN { printf "%.2f", a / b }')"
      echo "$W round $r ratio_median_sluice/spark=$ratio$vs_floor   ($(uptime | sed 's/.*load/load/'))"
    else
      echo "$W round $r ratio unavailable (a run failed)"
    fi
  done
  if [[ ${#ratios[@]} -gt 0 ]]; then
    echo "$W ratios: ${ratios[*]} geomean=$(printf '%s\n' "${ratios[@]}" \
      | awk '{ s += log($1); n++ } END { printf "%.3f", exp(s / n) }')"
  fi
done
