#!/usr/bin/env bash
# jcstress tests of the lock-free words (stress/src/main/java/dev/hshm/stress): builds the jar, runs every test.
# `stress/run.sh` runs jcstress's "quick" mode (about 4 minutes on 2 cores); other jcstress options pass through,
# e.g. `stress/run.sh -m default` (longer) or `-t FreeTagClaim`. Reports land in stress/target/jcstress-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
. ./.mvn/java-home.sh
./mvnw -q -DskipTests -pl stress -am package
mkdir -p stress/target/jcstress-results
cd stress/target/jcstress-results
args=("$@")
if [ ${#args[@]} -eq 0 ]; then args=(-m quick); fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar ../jcstress.jar "${args[@]}"
