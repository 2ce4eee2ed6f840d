package dev.hshm.it;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryManager;
import dev.hshm.api.Pointer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The reading side of {@link PointerExchangeTest}: attaches, reads the Pointer from the custom header, checks. */
public final class PointerExchangeMain {

    private PointerExchangeMain() {
    }

    public static void main(String[] args) {
        MemoryManager mm = MemoryManager.get();
        mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, args[0]);
        MemorySegment hdr = mm.getAllocator(AllocatorId.of(1, 0)).customHeader();
        Pointer p = new Pointer(AllocatorId.fromLong(hdr.get(ValueLayout.JAVA_LONG, 0)), hdr.get(ValueLayout.JAVA_LONG, 8));
        MemorySegment data = mm.convert(p, 4096);
        for (long i = 0; i < 4096; i++) {
            if (data.get(ValueLayout.JAVA_BYTE, i) != 8) {
                System.out.println("BAD byte " + i);
                System.exit(2);
            }
        }
        data.fill((byte) 9);
        System.out.println("VERIFIED " + p);
        System.exit(0);
    }
}
