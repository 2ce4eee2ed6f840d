#!/usr/bin/env bash
# Builds the benchmarks and runs the queue throughput comparison (structures' SPSC/MPSC rings against Agrona's
# and JCTools' in one JMH run): about 2 minutes; `--long` for 3 forks of 5 x 2 s (about 8 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
. ./.mvn/java-home.sh
./mvnw -q -DskipTests -pl benchmarks -am package
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp benchmarks/target/benchmarks.jar dev.hshm.bench.QueueReport "$@"
