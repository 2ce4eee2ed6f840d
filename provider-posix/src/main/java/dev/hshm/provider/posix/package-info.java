/**
 * The POSIX provider: the {@code posix_mmap} backend (private anonymous mappings), the {@code posix_shm_mmap}
 * backend (named shared memory: {@code shm_open} + {@code ftruncate} + {@code mmap}) and the {@code pthreads}
 * thread model, for Linux and macOS. Users reach them by name through {@link dev.hshm.api.MemoryManager} and
 * {@link dev.hshm.api.ThreadModel#current()}; the provider registry finds the providers through
 * {@code module-info.java} (module path), {@code META-INF/services} (class path) or the api bundle's
 * registrar (OSGi). This package is exported for one reason: providers built on POSIX shared memory (the
 * CUDA and ROCm ones, which register the same mapping with a GPU runtime) create and attach
 * {@link dev.hshm.provider.posix.PosixShmMmap} under their own kind name. Its {@code internal} package is
 * not exported.
 *
 * <p>Native calls go through {@code java.lang.foreign} only (bound in
 * {@link dev.hshm.provider.posix.internal.PosixNative}). The JVM needs
 * {@code --enable-native-access=dev.hshm.provider.posix} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path and in OSGi; without it JDK 25 warns, and
 * with {@code --illegal-native-access=deny} the providers report themselves unsupported with that advice.
 */
package dev.hshm.provider.posix;
