#!/bin/sh
# Runs provider-cuda's GPU test (dev.hshm.provider.cuda.gpu.GpuHeapScenario) with the runtime and jars in .device/
# (made by provider-cuda/src/device/prepare-device.sh). Exit code 0 = passed. See docs/gpu.md.
#   .device/run-gpu-test.sh           class path (jcuda extracts its natives itself)
#   .device/run-gpu-test.sh modules   module path: our modules and jcuda as named modules
set -eu
D=$(cd "$(dirname "$0")" && pwd)
JAVA="$D/jre/bin/java"
echo "== machine"; uname -a; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true
echo "== java"; "$JAVA" -version 2>&1
if [ "${1:-classpath}" = modules ]; then
    echo "== GPU test on the module path"
    exec "$JAVA" --enable-native-access=dev.hshm.allocators,dev.hshm.provider.posix,dev.hshm.provider.cuda,jcuda \
        -p "$D/lib" --add-modules ALL-MODULE-PATH \
        --add-exports dev.hshm.provider.cuda/dev.hshm.provider.cuda.internal=ALL-UNNAMED \
        -cp "$D/test-classes" dev.hshm.provider.cuda.gpu.GpuHeapScenario
else
    echo "== GPU test on the class path"
    exec "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$D/lib/*:$D/test-classes" dev.hshm.provider.cuda.gpu.GpuHeapScenario
fi
