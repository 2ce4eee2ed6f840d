#!/usr/bin/env bash
# Builds what the benchmarks need and runs them: a short configuration by default (about 4 minutes on 2 cores),
# `benchmarks/run.sh --long` for 3 forks and longer iterations (about 40 minutes), `--targets` for 3 forks of the
# target points only (about 10 minutes).
# Prints a markdown table: every figure with its ratio to libc malloc measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
. ./.mvn/java-home.sh
./mvnw -q -DskipTests -pl benchmarks -am package
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -jar benchmarks/target/benchmarks.jar "$@"
