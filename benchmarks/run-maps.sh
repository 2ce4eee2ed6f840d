#!/usr/bin/env bash
# Builds the benchmarks and runs the shared-container comparison (issue 13): MapBench (16-byte keys, 100-byte values,
# 1 M entries) and LongMapBench (long -> long) for ShmHashMap / ShmLongLongMap, Chronicle Map and ConcurrentHashMap,
# in sample mode (so JMH prints each operation's p50 / p99) with -prof gc, for 1 and for 2 threads; then VectorBench.
# About 15 minutes on 2 cores. Results: benchmarks/target/maps-t1.txt, maps-t2.txt, vector.txt.
# Chronicle Map needs the --add-exports/--add-opens below on JDK 25 (benchmarks/README.md says why).
set -euo pipefail
cd "$(dirname "$0")/.."
. ./.mvn/java-home.sh
./mvnw -q -DskipTests -pl benchmarks -am package
CF="-Dchronicle.analytics.disable=true --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED \
--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
--add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
--add-opens=java.base/java.nio=ALL-UNNAMED"
ARGS=(-f "${FORKS:-2}" -wi 2 -w 1s -i "${ITERATIONS:-4}" -r 1s)
JVM="-Xms2g -Xmx2g --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow $CF"
run() { "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
  org.openjdk.jmh.Main "$@" -jvmArgsAppend "$JVM"; }
for t in 1 2; do
  run 'map\.(MapBench|LongMapBench)\.' -t "$t" -bm sample -tu ns "${ARGS[@]}" -prof gc -rf text \
    -rff "benchmarks/target/maps-t$t.txt"
done
run 'map\.VectorBench\.' -t 1 "${ARGS[@]}" -rf text -rff benchmarks/target/vector.txt
