#!/usr/bin/env bash
# Before/after in the same session: builds the benchmarks of another commit (default: main) next to this
# checkout's, then measures the target points with both jars, alternating jar by jar for ROUNDS rounds (one JMH
# fork each per round, so the two see the same machine), and prints each figure with its ratio to libc malloc
# measured by the same jar in the same round.
#
#   benchmarks/compare.sh [BASE_REF] [ROUNDS]        e.g. benchmarks/compare.sh main 3   (about 4 min a round)
#
# Points: libcMalloc, threadLocal, scalablePage at 64 B with 1 and 2 threads; cross-process 1 vs 2 JVMs for both
# allocators (10 s each). Both jars must have dev.hshm.bench.AllocFree and CrossProcess (every commit since the
# benchmarks module has them).
set -euo pipefail
cd "$(dirname "$0")/.."
. ./.mvn/java-home.sh
base_ref=${1:-main}
rounds=${2:-3}
work=benchmarks/target/compare
base_sha=$(git rev-parse --short "$base_ref")
base_dir=$work/$base_sha
mkdir -p "$work"
if [ ! -f "$base_dir/benchmarks/target/benchmarks.jar" ]; then
  echo "compare: building $base_ref ($base_sha) in $base_dir ..." >&2
  rm -rf "$base_dir" && mkdir -p "$base_dir"
  git archive "$base_sha" | tar -x -C "$base_dir"
  (cd "$base_dir" && ./mvnw -q -DskipTests -pl benchmarks -am package >&2)
fi
echo "compare: building this checkout ..." >&2
./mvnw -q -DskipTests -pl benchmarks -am package >&2
cp benchmarks/target/benchmarks.jar "$work/this.jar"
cp "$base_dir/benchmarks/target/benchmarks.jar" "$work/base.jar"
java=$JAVA_HOME/bin/java
csv=$work/results.txt
: > "$csv"
for round in $(seq "$rounds"); do
  for side in base this; do
    for t in 1 2; do
      echo "compare: round $round/$rounds, $side, $t thread(s) ..." >&2
      "$java" --sun-misc-unsafe-memory-access=allow -cp "$work/$side.jar" org.openjdk.jmh.Main 'AllocFree\.(libcMalloc|threadLocal|scalablePage)$' \
        -p size=64 -t "$t" -f 1 -wi 3 -w 1s -i 5 -r 1s -rf csv -rff "$work/jmh.csv" \
        -jvmArgsAppend "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xms512m -Xmx512m" \
        > /dev/null
      tail -n +2 "$work/jmh.csv" | tr -d '"' | awk -F, -v s="$side" -v r="$round" \
        '{ split($1, b, "."); print s, r, b[length(b)] "/" $3 "t", $5 }' >> "$csv"
    done
    for type in thread_local scalable_page; do
      for p in 1 2; do
        "$java" --enable-native-access=ALL-UNNAMED -cp "$work/$side.jar" benchmarks/compare/CrossProcessPoint.java \
          "$type" "$p" 10 2>/dev/null | awk -v s="$side" -v r="$round" '{ print s, r, "xp-" $1 "/" $2 "p", $3 }' >> "$csv"
      done
    done
  done
done
echo
echo "## $base_ref ($base_sha) against this checkout ($(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes')), $rounds round(s), $(date -u +%F)"
echo
echo "JMH points: ns/op (mean over rounds) and, in brackets, the mean of the per-round ratios to the same jar's"
echo "libcMalloc at the same thread count. Cross-process: Mops/s, and 2 processes' aggregate over 1 process's."
echo
awk '
  { key = $1 SUBSEP $2 SUBSEP $3; v[key] = $4; pts[$3] = 1; sides[$1] = 1; rounds[$2] = 1 }
  END {
    printf "| point | base | this |\n|---|---|---|\n";
    n = 0; for (p in pts) order[++n] = p;
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (order[j] < order[i]) { t = order[i]; order[i] = order[j]; order[j] = t }
    for (i = 1; i <= n; i++) {
      p = order[i];
      printf "| `%s` |", p;
      split("base this", ss, " ");
      for (k = 1; k <= 2; k++) {
        s = ss[k]; sum = 0; rs = 0; c = 0;
        for (r in rounds) {
          key = s SUBSEP r SUBSEP p; if (!(key in v)) continue;
          sum += v[key]; c++;
          if (p ~ /^xp-/) {
            split(p, a, "/"); other = (a[2] == "2p") ? a[1] "/1p" : "";
            if (other != "") rs += v[key] / v[s SUBSEP r SUBSEP other];
          } else {
            split(p, a, "/"); lib = "libcMalloc/" a[2]; rs += v[key] / v[s SUBSEP r SUBSEP lib];
          }
        }
        if (c == 0) { printf " - |"; continue }
        if (p ~ /^xp-/) {
          if (p ~ /2p$/) printf " %.1f Mops/s (%.2f x 1 process) |", sum / c / 1e6, rs / c;
          else printf " %.1f Mops/s |", sum / c / 1e6;
        } else printf " %.1f ns (%.2f) |", sum / c, rs / c;
      }
      printf "\n";
    }
  }' "$csv"
