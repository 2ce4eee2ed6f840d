/**
 * The portable built-ins of hshm-java, plugged in through the api's SPIs like any third-party provider: the
 * {@code array} and {@code malloc} memory backends, and the {@code malloc}, {@code scalable_page} and
 * {@code thread_local} allocators with their heap core (page heap, span table, walk, layout classes).
 *
 * <p>Exports nothing: the allocators are reached through {@link dev.hshm.api.MemoryManager} by their type
 * names ({@link dev.hshm.api.Allocator#THREAD_LOCAL}, ...). Needs {@code --enable-native-access=dev.hshm.allocators}
 * (libc {@code malloc} through FFM, for the {@code malloc} backend and allocator).
 */
module dev.hshm.allocators {
    requires dev.hshm.api;

    provides dev.hshm.api.spi.MemoryBackendProvider with
            dev.hshm.allocators.internal.backend.ArrayBackendProvider,
            dev.hshm.allocators.internal.backend.MallocBackendProvider;
    provides dev.hshm.api.spi.AllocatorProvider with
            dev.hshm.allocators.internal.allocator.AllocatorProviders.Malloc,
            dev.hshm.allocators.internal.allocator.AllocatorProviders.ScalablePage,
            dev.hshm.allocators.internal.allocator.AllocatorProviders.ThreadLocal;
}
