/**
 * hshm-java's api: the provider SPIs, the public types (backends, allocators, ids, pointers, memory
 * context, thread model, exceptions), the {@link dev.hshm.api.MemoryManager}, the provider registry and the
 * OSGi bridge. No backend or allocator algorithm lives here: the portable built-ins are the module
 * {@code dev.hshm.allocators}, a provider like any other.
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
}
