package dev.hshm.allocators.internal.allocator;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.Support;

/** The providers of the built-in allocator types, one nested class each (listed in module-info). */
public final class AllocatorProviders {

    private AllocatorProviders() {
    }

    /** Provides {@link Allocator#SCALABLE_PAGE}. */
    public static final class ScalablePage implements AllocatorProvider {
        @Override
        public String name() {
            return Allocator.SCALABLE_PAGE;
        }

        @Override
        public Support support() {
            return Support.yes("portable");
        }

        @Override
        public Allocator create(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize,
                                long customHeaderSize) {
            return ScalablePageAllocator.create(backend, id, regionOffset, regionSize, customHeaderSize);
        }

        @Override
        public Allocator attach(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize) {
            return ScalablePageAllocator.attach(backend, id, regionOffset, regionSize);
        }
    }

    /** Provides {@link Allocator#THREAD_LOCAL}. */
    public static final class ThreadLocal implements AllocatorProvider {
        @Override
        public String name() {
            return Allocator.THREAD_LOCAL;
        }

        @Override
        public Support support() {
            return Support.yes("portable");
        }

        @Override
        public Allocator create(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize,
                                long customHeaderSize) {
            return ThreadLocalAllocator.create(backend, id, regionOffset, regionSize, customHeaderSize);
        }

        @Override
        public Allocator attach(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize) {
            return ThreadLocalAllocator.attach(backend, id, regionOffset, regionSize);
        }

        @Override
        public void release(Allocator allocator) {
            if (allocator instanceof ThreadLocalAllocator tla) {
                tla.close();
            }
        }
    }

    /** Provides {@link Allocator#MALLOC}. */
    public static final class Malloc implements AllocatorProvider {
        @Override
        public String name() {
            return Allocator.MALLOC;
        }

        @Override
        public Support support() {
            return Support.yes("libc malloc");
        }

        @Override
        public boolean usesBackendMemory() {
            return false;
        }

        @Override
        public Allocator create(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize,
                                long customHeaderSize) {
            return new MallocAllocator(id, backend, customHeaderSize);
        }

        @Override
        public Allocator attach(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize) {
            throw new UnsupportedOperationException("the malloc allocator is private to its process; nothing to attach");
        }

        @Override
        public void release(Allocator allocator) {
            if (allocator instanceof MallocAllocator m) {
                m.close();
            }
        }
    }
}
