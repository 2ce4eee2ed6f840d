package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.spi.BackendHeader;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The allocator contract for {@code Allocator.SCALABLE_PAGE} in POSIX shared memory, plus use through a second mapping. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class ScalablePageAllocatorOverPosixShmTest extends PosixShmAllocatorContract {

    @Override
    String type() {
        return Allocator.SCALABLE_PAGE;
    }

    @Test
    void aBlockAllocatedThroughOneMappingIsReadAndFreedThroughAnother() {
        Allocator a = make(8L << 20);
        long off = a.allocateOffset(MemContext.DEFAULT, 1000);
        a.resolve(off, 1000).set(ValueLayout.JAVA_LONG, 992, 0xFEEDL);

        PosixShmMmap view = segs.track(PosixShmMmap.attach(a.backend().url().orElseThrow()));
        BackendHeader.DirectoryEntry e = BackendHeader.directory(view.header(), view.dataSize()).getFirst();
        assertEquals(AllocatorId.of(1, 0), e.id());
        assertEquals(type(), e.type());
        Allocator other = provider().attach(view, e.id(), e.regionOffset(), e.regionSize());
        try {
            assertEquals(0xFEEDL, other.resolve(off, 1000).get(ValueLayout.JAVA_LONG, 992));
            assertEquals(a.bytesInUse(), other.bytesInUse());
            other.freeOffset(MemContext.DEFAULT, off);
            assertEquals(0, a.bytesInUse(), "the free through the other mapping is seen by the first");
        } finally {
            provider().release(other);
        }
    }
}
