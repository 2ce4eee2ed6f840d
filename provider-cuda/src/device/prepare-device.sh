#!/bin/sh
# Assembles .device/ (git-ignored, at the repository root): what the GPU test needs on a machine with an NVIDIA
# GPU but no Java, no Maven and no network. See docs/gpu.md.
#
#   .device/jre/                 a jlink'd Java 25 runtime (about 44 MiB)
#   .device/lib/                 hshm-api, hshm-allocators, hshm-provider-posix, hshm-provider-cuda, jcuda-12.0.0.jar, and a
#                                jcuda-natives jar trimmed to libJCudaRuntime + libJCudaDriver
#   .device/test-classes/        provider-cuda's test classes, with heap_kernels.ptx (and .cu)
#   .device/run-gpu-test.sh      runs the test (class path; "modules" as first argument: module path)
#
# Run from the repository root after building: ./mvnw -q -pl provider-cuda -am package -DskipTests
set -eu
ROOT=$(pwd)
[ -f provider-cuda/pom.xml ] || { echo "run from the repository root" >&2; exit 2; }
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
"$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25' || { echo "JAVA_HOME must be a JDK 25: $JAVA_HOME" >&2; exit 2; }
M2=${M2_REPO:-$HOME/.m2/repository}
VERSION=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' provider-cuda/pom.xml | head -1)
JCUDA=12.0.0
for f in api/target/hshm-api-$VERSION.jar allocators/target/hshm-allocators-$VERSION.jar provider-posix/target/hshm-provider-posix-$VERSION.jar \
         provider-cuda/target/hshm-provider-cuda-$VERSION.jar \
         provider-cuda/target/test-classes/dev/hshm/provider/cuda/gpu/GpuHeapScenario.class \
         "$M2/org/jcuda/jcuda/$JCUDA/jcuda-$JCUDA.jar" \
         "$M2/org/jcuda/jcuda-natives/$JCUDA/jcuda-natives-$JCUDA-linux-x86_64.jar"; do
    [ -f "$f" ] || { echo "missing $f: build first (./mvnw -q -pl provider-cuda -am package -DskipTests)" >&2; exit 2; }
done
[ -f provider-cuda/target/test-classes/dev/hshm/provider/cuda/gpu/heap_kernels.ptx ] \
    || echo "note: no heap_kernels.ptx was built (no /usr/local/bin/nvcc here); the test will use nvcc on the GPU machine" >&2

rm -rf .device
mkdir -p .device/lib
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported,java.management,jdk.jfr \
    --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output .device/jre
cp api/target/hshm-api-$VERSION.jar allocators/target/hshm-allocators-$VERSION.jar provider-posix/target/hshm-provider-posix-$VERSION.jar \
   provider-cuda/target/hshm-provider-cuda-$VERSION.jar "$M2/org/jcuda/jcuda/$JCUDA/jcuda-$JCUDA.jar" .device/lib/
# the natives jar holds 26 MB of libraries, 24 MB of them the PTX compiler we do not use: keep the two we load
TMP=$(mktemp -d)
(cd "$TMP" && "$JAVA_HOME/bin/jar" xf "$M2/org/jcuda/jcuda-natives/$JCUDA/jcuda-natives-$JCUDA-linux-x86_64.jar" \
    lib/libJCudaRuntime-$JCUDA-linux-x86_64.so lib/libJCudaDriver-$JCUDA-linux-x86_64.so)
"$JAVA_HOME/bin/jar" --create --file ".device/lib/jcuda-natives-$JCUDA-linux-x86_64.jar" -C "$TMP" lib
rm -rf "$TMP"
cp -r provider-cuda/target/test-classes .device/test-classes
cp provider-cuda/src/device/run-gpu-test.sh .device/run-gpu-test.sh
chmod +x .device/run-gpu-test.sh
du -sh .device .device/jre .device/lib .device/test-classes
echo "ready: carry .device to the GPU machine and run .device/run-gpu-test.sh from the repository root"
