#!/usr/bin/env bash
# jcstress tests of the lock-free words: builds the jar, runs every test. The tests:
#   stress/src/main/java/dev/hshm/stress/
#     FreeTagClaimTest          thread_local's free-tag claim: of two racing frees of one block exactly one wins
#     MpscClaimTest             two producers race for the MPSC tail: both records arrive once and whole
#     SpscPublicationTest(.Offsets)  a polled SPSC element (or offset) is whole, never torn or stale
#     WaitWordWakeTest          WaitWord: a waiter the waker saw is never missed; the documented lost-wake window
#                               (unfenced signal) shows as the one "interesting" outcome
#   stress/src/main/java/dev/hshm/allocators/internal/heap/ (the heap's package: its classes are package-private)
#     RobustLockStress.Exclusion  the robust lock's owner word: two lockers, never both inside
#     RobustLockStress.Takeover   a lock whose owner's process is dead: exactly one of two waiters takes it over
#                                 and repairs, the other gets it after from FREE (about 2 ms a sample)
#     SlotLeaseStress           two owners lease thread-cache slots at once: never the same slot
#     RemoteFreeStress.TwoFrees / .FreeWhileDrain  frees pushed onto one span's shared free list, racing each
#                               other or a cache's batch refill: nothing lost, nothing twice
# `stress/run.sh` runs jcstress's "quick" mode (every JVM mode; 11 min 29 s on 2 cores, 2026-12-04); other jcstress options
# pass through, e.g. `stress/run.sh -m default` (longer) or `-t FreeTagClaim`. Reports land in
# stress/target/jcstress-results/. `./mvnw verify` runs a short pass of every test (one JVM mode, one 200 ms
# iteration per fork: about 40 s; see stress/pom.xml) and fails on a forbidden outcome or an error.
set -euo pipefail
cd "$(dirname "$0")/.."
. ./.mvn/java-home.sh
./mvnw -q -DskipTests -pl stress -am package
mkdir -p stress/target/jcstress-results
cd stress/target/jcstress-results
args=("$@")
if [ ${#args[@]} -eq 0 ]; then args=(-m quick); fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar ../jcstress.jar "${args[@]}"
