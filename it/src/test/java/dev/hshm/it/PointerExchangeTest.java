package dev.hshm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.FullPtr;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.Units;
import dev.hshm.testkit.ChildJvm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The canonical "pass a pointer through shared memory" exchange: this process allocates 4 KiB, fills it
 * with 8 and leaves its Pointer in the custom header; another JVM attaches, converts the Pointer, checks the
 * bytes and writes 9; this process sees the 9s.
 */
class PointerExchangeTest {

    private final String url = Segments.unique("ptr");

    @AfterEach
    void cleanUp() {
        Segments.clearManager();
        Segments.remove(url);
    }

    @Test
    void aPointerLeftInTheCustomHeaderMeansTheSameBytesInAnotherProcess() throws Exception {
        MemoryManager mm = MemoryManager.get();
        mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, MemoryBackendId.get(300), Units.megabytes(100), url);
        Allocator a = mm.createAllocator(Allocator.THREAD_LOCAL, MemoryBackendId.get(300), AllocatorId.of(1, 0), 64);
        FullPtr p = a.allocate(MemContext.DEFAULT, 4096);
        p.segment().fill((byte) 8);
        MemorySegment hdr = a.customHeader();
        hdr.set(ValueLayout.JAVA_LONG, 0, p.pointer().allocatorId().toLong());
        hdr.set(ValueLayout.JAVA_LONG, 8, p.offset());
        try (ChildJvm reader = ChildJvm.java().likeThisJvm().jvmArgs("-Xmx256m", "-XX:+UseSerialGC")
                        .name("reader").echoTo(System.out).main(PointerExchangeMain.class).args(url).start()) {
            assertEquals(0, reader.waitFor(60), reader.output());
            reader.await("VERIFIED", 1);
        }
        assertEquals(9, p.segment().get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(9, p.segment().get(ValueLayout.JAVA_BYTE, 4095));
        a.free(MemContext.DEFAULT, p);
        a.freeTls(MemContext.DEFAULT);
        assertEquals(0, a.bytesInUse());
    }
}
