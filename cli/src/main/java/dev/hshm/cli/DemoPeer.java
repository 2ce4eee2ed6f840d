package dev.hshm.cli;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemContext;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryManager;
import java.lang.foreign.MemorySegment;

/**
 * The second process of {@code hshm demo}: attaches to the demo's backend by name, reads and verifies the
 * first process's messages by offset, frees them (a free from another process), writes its own messages and
 * publishes their offsets, then detaches. Arguments: {@code url messages}.
 */
public final class DemoPeer {

    private DemoPeer() {
    }

    /**
     * Entry point.
     *
     * @param args {@code url messages}
     */
    public static void main(String[] args) {
        String me = "[pid " + ProcessHandle.current().pid() + "] ";
        try {
            String url = args[0];
            int n = Integer.parseInt(args[1]);
            MemoryManager mm = MemoryManager.get();
            MemoryBackend b = mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, url);
            Allocator a = mm.getAllocator(DemoCommand.ALLOCATOR);
            System.out.println(me + "attached to '" + url + "' (" + b.dataSize() / (1024 * 1024) + " MiB): found "
                    + a.type() + " allocator " + a.id() + "; thread model " + dev.hshm.api.ThreadModel.current().name());
            MemorySegment hdr = a.customHeader();
            MemorySegment mem = a.memory();
            DemoLayout.LONG.setRelease(hdr, DemoLayout.PEER_UP, 1L);
            long count = DemoLayout.await(hdr, DemoLayout.COUNT_A, 30_000, "the first process's messages");
            for (int i = 0; i < count; i++) {
                long off = hdr.get(java.lang.foreign.ValueLayout.JAVA_LONG, DemoLayout.OFFS_A + 8L * i);
                String text = DemoLayout.read(mem, off);
                System.out.printf("%sread  message %d at offset 0x%x: \"%s\" - checksum ok; freed it%n", me, i + 1, off,
                        text);
                a.freeOffset(MemContext.DEFAULT, off);
            }
            for (int i = 0; i < n; i++) {
                String text = "hello from pid " + ProcessHandle.current().pid() + ", message " + (i + 1);
                long off = a.allocateOffset(MemContext.DEFAULT, DemoLayout.blockSize(text));
                DemoLayout.write(a.resolve(off, DemoLayout.blockSize(text)), text);
                hdr.set(java.lang.foreign.ValueLayout.JAVA_LONG, DemoLayout.OFFS_B + 8L * i, off);
                System.out.printf("%swrote message %d at offset 0x%x: \"%s\"%n", me, i + 1, off, text);
            }
            System.out.println(me + "published " + n + " offsets in the custom header");
            System.out.flush();
            DemoLayout.LONG.setRelease(hdr, DemoLayout.COUNT_B, (long) n);
            a.freeTls(MemContext.DEFAULT);
            mm.detachBackend(b.id());
            System.out.println(me + "verified " + count + "/" + count + " messages of the first process; detached");
            System.exit(0);
        } catch (Exception | Error e) {
            System.out.println(me + "FAILED: " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
