package dev.hshm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.StateException;
import dev.hshm.api.spi.BackendHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link MemoryBackend} implementation must meet. Extend it, implement
 * {@link #create}, and (for shared kinds) {@link #attach}; every backend made through the hooks is destroyed
 * after each test.
 */
public abstract class MemoryBackendContract {

    /** For subclasses. */
    protected MemoryBackendContract() {
    }

    private final List<MemoryBackend> made = new ArrayList<>();

    /**
     * Creates a fresh backend of this kind.
     *
     * @param id the id to give it
     * @param size bytes of data
     * @return the backend
     */
    protected abstract MemoryBackend create(MemoryBackendId id, long size);

    /**
     * Attaches a second view of a backend made by {@link #create} (another process would do the same).
     * Private kinds return {@code null}.
     *
     * @param created a backend from {@link #create}
     * @return a second, attached view, or {@code null} if the kind is private
     */
    protected MemoryBackend attach(MemoryBackend created) {
        return null;
    }

    /**
     * Creates a backend of this kind under a name (URL) that {@link #create} already used; named kinds must
     * override it so the contract can check that a name is never silently taken over. Private kinds (whose
     * backends have no {@link MemoryBackend#url() url}) never get here.
     *
     * @param id the id to give it
     * @param size bytes of data
     * @param url the URL of a live backend from {@link #create}
     * @return the backend, which it must not return: the call should throw
     */
    protected MemoryBackend createAt(MemoryBackendId id, long size, String url) {
        throw new UnsupportedOperationException(getClass().getName() + " makes named backends (url=" + url
                + "): override createAt(id, size, url) so the contract can check creating an existing name");
    }

    /**
     * The kind name the backend should report.
     *
     * @return the kind
     */
    protected abstract String expectedKind();

    /**
     * The alignment the data is guaranteed to have.
     *
     * @return bytes; 4096 for mapped kinds
     */
    protected long expectedDataAlignment() {
        return 4096;
    }

    private MemoryBackend make(int id, long size) {
        MemoryBackend b = create(MemoryBackendId.get(id), size);
        made.add(b);
        return b;
    }

    private MemoryBackend attachTracked(MemoryBackend b) {
        MemoryBackend a = attach(b);
        if (a != null) {
            made.add(a);
        }
        return a;
    }

    @AfterEach
    void destroyEverything() {
        for (int i = made.size() - 1; i >= 0; i--) {
            try {
                made.get(i).destroy();
            } catch (RuntimeException ignored) {
                // best effort: the test may have destroyed it already
            }
        }
        made.clear();
    }

    @Test
    void createdBackendReportsItsIdKindAndSize() {
        MemoryBackend b = make(7, 1 << 20);
        assertEquals(MemoryBackendId.get(7), b.id());
        assertEquals(expectedKind(), b.kind());
        assertEquals(1 << 20, b.dataSize());
        assertEquals(1 << 20, b.data().byteSize());
        assertTrue(b.isCreator());
        assertTrue(b.isAttached());
        assertEquals(b.isShared(), b.url().isPresent());
    }

    @Test
    void everyByteOfTheDataIsWritableAndKeepsItsValue() {
        MemoryBackend b = make(1, 3 * 4096 + 123);
        MemorySegment d = b.data();
        for (long i = 0; i < d.byteSize(); i++) {
            d.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
        }
        for (long i = 0; i < d.byteSize(); i++) {
            assertEquals((byte) (i * 31 + 7), d.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
        }
    }

    @Test
    void dataIsAlignedAsPromised() {
        MemoryBackend b = make(1, 1 << 16);
        assertEquals(0, b.data().address() % expectedDataAlignment(),
                "data address 0x" + Long.toHexString(b.data().address()));
        long promised = b.addressAlignment();
        assertEquals(1, Long.bitCount(promised), "addressAlignment() is a power of two: " + promised);
        assertTrue(promised >= expectedDataAlignment(), "addressAlignment() " + promised + " < the data's alignment");
        assertEquals(0, b.data().address() % promised, "addressAlignment() " + promised + " is not true of 0x"
                + Long.toHexString(b.data().address()));
        MemoryBackend a = attachTracked(b);
        if (a != null) {
            assertEquals(promised, a.addressAlignment(), "every view promises the same");
            assertEquals(0, a.data().address() % promised, "the second view's data 0x"
                    + Long.toHexString(a.data().address()) + " is not aligned to " + promised);
        }
    }

    @Test
    void headerIsPublishedWithTheBackendsIdKindAndSize() {
        MemoryBackend b = make(42, 1 << 16);
        MemorySegment h = b.header();
        assertEquals(BackendHeader.MAGIC, h.get(ValueLayout.JAVA_LONG, BackendHeader.MAGIC_OFFSET));
        assertEquals(BackendHeader.READY_VALUE, h.get(ValueLayout.JAVA_LONG, BackendHeader.READY_OFFSET));
        assertEquals(42, h.get(ValueLayout.JAVA_INT, BackendHeader.BACKEND_ID_OFFSET));
        assertEquals(1 << 16, h.get(ValueLayout.JAVA_LONG, BackendHeader.DATA_SIZE_OFFSET));
        assertEquals(ProcessHandle.current().pid(), h.get(ValueLayout.JAVA_LONG, BackendHeader.CREATOR_PID_OFFSET));
        assertEquals(expectedKind(), BackendHeader.kind(h));
    }

    @Test
    void detachClosesTheViewsSoLaterAccessThrowsInsteadOfCrashing() {
        MemoryBackend b = make(1, 1 << 16);
        MemorySegment d = b.data();
        d.set(ValueLayout.JAVA_LONG, 0, 1234);
        b.detach();
        assertFalse(b.isAttached());
        assertThrows(StateException.class, b::data);
        if (!expectedKind().equals(MemoryBackend.ARRAY)) {
            assertThrows(IllegalStateException.class, () -> d.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void detachAndDestroyAreIdempotent() {
        MemoryBackend b = make(1, 1 << 16);
        b.detach();
        b.detach();
        b.destroy();
        b.destroy();
        assertFalse(b.isAttached());
    }

    @Test
    void nonPositiveSizesAreRejectedWithAClearMessage() {
        assumeTrue(!expectedKind().equals(MemoryBackend.ARRAY), "array backends take the caller's size");
        RuntimeException e = assertThrows(RuntimeException.class, () -> make(1, 0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertThrows(RuntimeException.class, () -> make(2, -5));
    }

    @Test
    void creatingANameThatExistsThrowsAndLeavesTheLiveBackendAlone() {
        MemoryBackend b = make(4, 1 << 16);
        assumeTrue(b.url().isPresent(), "private kind: its backends have no name that could collide");
        b.data().set(ValueLayout.JAVA_LONG, 0, 0x5EED_5EEDL);
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> {
            MemoryBackend second = createAt(MemoryBackendId.get(5), 1 << 16, b.url().orElseThrow());
            made.add(second);
        });
        assertNotNull(e.getMessage());
        assertEquals(0x5EED_5EEDL, b.data().get(ValueLayout.JAVA_LONG, 0), "the live backend's data is untouched");
        assertEquals(1, BackendHeader.attachCount(b.header()), "the failed create did not attach");
        MemoryBackend a = attachTracked(b);
        if (a != null) {
            assertEquals(b.dataSize(), a.dataSize(), "the name still leads to the first backend");
        }
    }

    @Test
    void anAttachedViewSeesTheCreatorsBytesAndTheCreatorSeesItsWrites() {
        MemoryBackend b = make(3, 1 << 16);
        b.data().set(ValueLayout.JAVA_LONG, 8, 0xCAFEBABEL);
        MemoryBackend a = attachTracked(b);
        assumeTrue(a != null, "private kind: nothing to attach");
        assertNotNull(a);
        assertFalse(a.isCreator());
        assertEquals(b.id(), a.id());
        assertEquals(b.dataSize(), a.dataSize());
        assertEquals(0xCAFEBABEL, a.data().get(ValueLayout.JAVA_LONG, 8));
        a.data().set(ValueLayout.JAVA_LONG, 16, 77L);
        assertEquals(77L, b.data().get(ValueLayout.JAVA_LONG, 16));
        assertEquals(2, BackendHeader.attachCount(b.header()));
        a.detach();
        assertEquals(1, BackendHeader.attachCount(b.header()));
        assertEquals(77L, b.data().get(ValueLayout.JAVA_LONG, 16), "detaching one view keeps the memory");
    }
}
