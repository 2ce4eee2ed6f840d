/**
 * hshm-java's api: the provider SPIs, the public types (backends, allocators, ids, pointers, memory
 * context, thread model, exceptions), the {@link dev.hshm.api.MemoryManager}, the provider registry, and
 * the portable built-ins (array and malloc backends; malloc, scalable-page and thread-local allocators).
 *
 * <p>Needs {@code --enable-native-access=dev.hshm.api} (libc malloc through FFM).
 */
@SuppressWarnings("requires-automatic") // the OSGi API jars are automatic modules; static, compile-only
module dev.hshm.api {
    exports dev.hshm.api;
    exports dev.hshm.api.spi;

    // compile-only: used by the OSGi activator (dev.hshm.api.internal.osgi), which only a framework loads
    requires static org.osgi.framework;
    requires static org.osgi.util.tracker;

    uses dev.hshm.api.spi.MemoryBackendProvider;
    uses dev.hshm.api.spi.AllocatorProvider;
    uses dev.hshm.api.spi.ThreadModelProvider;

    provides dev.hshm.api.spi.MemoryBackendProvider with
            dev.hshm.api.internal.backend.ArrayBackendProvider,
            dev.hshm.api.internal.backend.MallocBackendProvider;
    provides dev.hshm.api.spi.AllocatorProvider with
            dev.hshm.api.internal.allocator.AllocatorProviders.Malloc,
            dev.hshm.api.internal.allocator.AllocatorProviders.ScalablePage,
            dev.hshm.api.internal.allocator.AllocatorProviders.ThreadLocal;
}
