package dev.hshm.nativeclient;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.MemoryManager;
import dev.hshm.structures.MpscRing;
import dev.hshm.structures.NamedObjects;
import dev.hshm.structures.SpscRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The JVM side of examples/c-queue: creates a segment, an allocator and a named queue, and prints what a C sender
 * ({@code native/target/c/send}) puts on it until "bye". Also the receiving half of CQueueTest ({@link #spsc},
 * {@link #mpsc}: a queue of texts, whichever ring carries them).
 *
 * <pre>
 * java ... dev.hshm.nativeclient.CQueueReceiver [spsc|mpsc] [SEGMENT]
 * </pre>
 * Default: an SPSC ring of 64-byte elements, segment {@code hshm-cq-demo}; the queue is named {@code c-to-jvm} in
 * allocator (1,0). It prints the command to run, waits up to 60 s for each message, and removes the segment at the
 * end.
 */
public final class CQueueReceiver {

    /** The queue's name in the directory. */
    public static final String QUEUE = "c-to-jvm";
    /** SPSC element size of the example: the longest text plus its NUL padding. */
    public static final long ELEMENT = 64;

    private CQueueReceiver() {
    }

    /** A message as received: the MPSC record type (0 for SPSC), the text, when take returned (System.nanoTime). */
    record Message(int type, String text, long receivedNanos) {
    }

    /** A queue of texts, whichever ring carries them. */
    interface TextQueue {
        /**
         * The next message, waiting up to {@code timeoutNanos}.
         *
         * @return the message, or null on timeout
         */
        Message take(long timeoutNanos) throws InterruptedException;
    }

    /** Texts in SPSC elements: NUL-padded to the element size (what send.c puts). */
    static TextQueue spsc(SpscRing ring) {
        MemorySegment element = Arena.ofAuto().allocate(ring.elementSize(), 8);
        return timeout -> {
            if (!ring.take(element, timeout)) {
                return null;
            }
            long now = System.nanoTime();
            int n = 0;
            while (n < element.byteSize() && element.get(ValueLayout.JAVA_BYTE, n) != 0) {
                n++;
            }
            return new Message(0, new String(element.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.UTF_8), now);
        };
    }

    /** Texts as MPSC records, one record per message (what send.c puts). */
    static TextQueue mpsc(MpscRing ring) {
        return timeout -> {
            Message[] got = new Message[1];
            int n = ring.take((type, buffer, offset, length) -> got[0] = new Message(type,
                    new String(buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8),
                    0), 1, timeout);
            return n == 0 ? null : new Message(got[0].type(), got[0].text(), System.nanoTime());
        };
    }

    /**
     * Entry point.
     *
     * @param args {@code [spsc|mpsc] [SEGMENT]}
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        String kind = args.length > 0 ? args[0] : "spsc";
        String segment = args.length > 1 ? args[1] : "hshm-cq-demo";
        MemoryManager mm = MemoryManager.get();
        MemoryBackendId backendId = MemoryBackendId.get(1);
        mm.createBackend(MemoryBackend.POSIX_SHM_MMAP, backendId, 16L << 20, segment);
        try {
            Allocator a = mm.createAllocator(Allocator.SCALABLE_PAGE, backendId, AllocatorId.of(1, 0),
                    NamedObjects.CUSTOM_HEADER_BYTES);
            NamedObjects dir = NamedObjects.of(a);
            TextQueue q = kind.equals("mpsc") ? mpsc(MpscRing.create(dir, QUEUE, 4096))
                    : spsc(SpscRing.create(dir, QUEUE, 16, ELEMENT));
            System.out.println("created " + kind + " queue '" + QUEUE + "' in segment '" + segment
                    + "', allocator (1,0); now run:\n  native/target/c/send -n 10 " + segment + " " + QUEUE);
            int n = 0;
            while (true) {
                Message m = q.take(TimeUnit.SECONDS.toNanos(60));
                if (m == null) {
                    System.out.println("no message for 60 s; giving up");
                    break;
                }
                System.out.println("received: " + m.text());
                if (m.text().equals("bye")) {
                    System.out.println(n + " messages and bye from C");
                    break;
                }
                n++;
            }
        } finally {
            mm.destroyBackend(backendId);
        }
    }
}
