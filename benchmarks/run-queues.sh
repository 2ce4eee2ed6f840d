#!/usr/bin/env bash
# Builds the benchmarks and runs the queue throughput comparison (structures' SPSC/MPSC rings against Agrona's
# and JCTools' in one JMH run): about 2 minutes; `--long` for 3 forks of 5 x 2 s (about 8 minutes); `--garbage` for
# the bytes of Java heap garbage per message of every queue call (QueueGarbage, -prof gc, about 1 minute).
set -euo pipefail
cd "$(dirname "$0")/.."
. ./.mvn/java-home.sh
./mvnw -q -DskipTests -pl benchmarks -am package
if [ "${1:-}" = --garbage ]; then
  # Java heap garbage per message of every queue's calls (QueueGarbage, JMH -prof gc): about 1 minute
  exec "$JAVA_HOME/bin/java" -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main QueueGarbage -f 1 -wi 2 -w 1s \
    -i 3 -r 1s -prof gc -jvmArgsAppend --enable-native-access=ALL-UNNAMED
fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp benchmarks/target/benchmarks.jar dev.hshm.bench.QueueReport "$@"
