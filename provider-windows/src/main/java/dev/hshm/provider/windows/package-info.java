/**
 * The Windows provider: the {@code posix_mmap} backend (private memory from {@code VirtualAlloc}), the
 * {@code posix_shm_mmap} backend (named file mappings backed by the paging file: {@code CreateFileMappingW} +
 * {@code MapViewOfFile}) and the {@code windows} thread model. The backend kinds keep their POSIX names so
 * that user code does not change between operating systems. Nothing here is exported: users reach it by name
 * through {@link dev.hshm.api.MemoryManager} and {@link dev.hshm.api.ThreadModel#current()}, and the provider
 * registry finds the providers through {@code module-info.java} (module path), {@code META-INF/services}
 * (class path) or the api bundle's registrar (OSGi).
 *
 * <p>On other operating systems every provider reports itself unsupported ({@code "not Windows: Linux ..."})
 * without loading any native library. Native calls go through {@code java.lang.foreign} only, bound in
 * {@link dev.hshm.provider.windows.internal.WinNative}; the logic is written against
 * {@link dev.hshm.provider.windows.internal.WinApi} so that it is unit-tested on every OS. The JVM needs
 * {@code --enable-native-access=dev.hshm.provider.windows} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path and in OSGi.
 */
package dev.hshm.provider.windows;
