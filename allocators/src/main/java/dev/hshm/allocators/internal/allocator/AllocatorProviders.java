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

    /** Creates a heap allocator in a region ({@code create} of the allocator classes). */
    @FunctionalInterface
    interface Create {
        Allocator create(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize, long customHeaderSize);
    }

    /** Attaches to a heap allocator in a region ({@code attach} of the allocator classes). */
    @FunctionalInterface
    interface Attach {
        Allocator attach(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize);
    }

    /** What the two heap allocator types' providers share: portable, state in the region. */
    abstract static class HeapType implements AllocatorProvider {
        private final String name;
        private final Create create;
        private final Attach attach;

        HeapType(String name, Create create, Attach attach) {
            this.name = name;
            this.create = create;
            this.attach = attach;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Support support() {
            return Support.yes("portable");
        }

        @Override
        public Allocator create(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize,
                                long customHeaderSize) {
            return create.create(backend, id, regionOffset, regionSize, customHeaderSize);
        }

        @Override
        public Allocator attach(MemoryBackend backend, AllocatorId id, long regionOffset, long regionSize) {
            return attach.attach(backend, id, regionOffset, regionSize);
        }
    }

    /** Provides {@link Allocator#SCALABLE_PAGE}. */
    public static final class ScalablePage extends HeapType {
        /** The provider (found by {@code ServiceLoader}). */
        public ScalablePage() {
            super(Allocator.SCALABLE_PAGE, ScalablePageAllocator::create, ScalablePageAllocator::attach);
        }
    }

    /** Provides {@link Allocator#THREAD_LOCAL}. */
    public static final class ThreadLocal extends HeapType {
        /** The provider (found by {@code ServiceLoader}). */
        public ThreadLocal() {
            super(Allocator.THREAD_LOCAL, ThreadLocalAllocator::create, ThreadLocalAllocator::attach);
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
