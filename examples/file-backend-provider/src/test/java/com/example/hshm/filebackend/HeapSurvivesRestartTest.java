package com.example.hshm.filebackend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.FullPtr;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.Pointer;
import dev.hshm.api.Units;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the example is for: allocate in a file-backed heap, let go of everything, come back, find the data. */
class HeapSurvivesRestartTest {

    @TempDir
    Path dir;

    @Test
    void aHeapInAFileKeepsItsBlocksAcrossDetachAndAttach() {
        MemoryManager mm = MemoryManager.get();
        String file = dir.resolve("notes.heap").toString();
        MemoryBackendId bid = MemoryBackendId.get(40);
        AllocatorId aid = AllocatorId.of(40, 0);
        mm.createBackend(FileMmapProvider.KIND, bid, Units.megabytes(8), file);
        Allocator a = mm.createAllocator(Allocator.SCALABLE_PAGE, bid, aid, 64);
        byte[] text = "kept across restarts".getBytes(StandardCharsets.UTF_8);
        FullPtr p = a.allocate(MemContext.DEFAULT, text.length);
        MemorySegment.copy(text, 0, p.segment(), ValueLayout.JAVA_BYTE, 0, text.length);
        a.customHeader().set(ValueLayout.JAVA_LONG, 0, p.offset());
        a.customHeader().set(ValueLayout.JAVA_LONG, 8, text.length);
        mm.detachBackend(bid); // "the process ends": nothing of the heap is left mapped

        mm.attachBackend(FileMmapProvider.KIND, file); // "the next run"
        Allocator again = mm.getAllocator(aid);
        long off = again.customHeader().get(ValueLayout.JAVA_LONG, 0);
        long len = again.customHeader().get(ValueLayout.JAVA_LONG, 8);
        MemorySegment s = mm.convert(new Pointer(aid, off), len);
        assertEquals("kept across restarts", new String(s.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        again.freeOffset(MemContext.DEFAULT, off);
        assertEquals(0, again.bytesInUse());
        again.check();
        mm.destroyBackend(bid);
    }
}
