package dev.hshm.structures;

import dev.hshm.testkit.ChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.InvalidNameException;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.StateException;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NamedObjectsTest {

    private final TestHeap heap = TestHeap.create();

    @AfterEach
    void tearDown() {
        heap.close();
    }

    @Test
    void createThenAttachFindsTheSameBlockAndItsContents() {
        NamedObjects dir = heap.dir();
        NamedObject made = dir.create("counter", 64, m -> m.set(ValueLayout.JAVA_LONG, 0, 42L));
        assertTrue(made.created());
        NamedObject found = NamedObjects.of(heap.allocator).attach("counter");
        assertFalse(found.created());
        assertEquals(made.offset(), found.offset());
        assertEquals(64, found.size());
        assertEquals(42L, found.memory().get(ValueLayout.JAVA_LONG, 0));
        assertEquals(0, found.offset() % NamedObjects.OBJECT_ALIGNMENT);
    }

    @Test
    void createOfAnExistingNameThrowsAlreadyExists() {
        NamedObjects dir = heap.dir();
        dir.create("q", 16, m -> { });
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> dir.create("q", 16, m -> { }));
        assertTrue(e.getMessage().contains("'q'"), e.getMessage());
    }

    @Test
    void attachOfAMissingNameListsTheNamesThatExist() {
        NamedObjects dir = heap.dir();
        dir.create("alpha", 16, m -> { });
        dir.create("beta", 16, m -> { });
        NotFoundException e = assertThrows(NotFoundException.class, () -> dir.attach("gamma"));
        assertTrue(e.getMessage().contains("[alpha, beta]"), e.getMessage());
    }

    @Test
    void openOrCreateCreatesOnceThenFinds() {
        NamedObjects dir = heap.dir();
        NamedObject a = dir.openOrCreate("x", 32, m -> m.set(ValueLayout.JAVA_LONG, 0, 1L));
        NamedObject b = dir.openOrCreate("x", 32, m -> m.set(ValueLayout.JAVA_LONG, 0, 2L));
        assertTrue(a.created());
        assertFalse(b.created());
        assertEquals(1L, b.memory().get(ValueLayout.JAVA_LONG, 0));
    }

    @Test
    void destroyFreesTheMemoryAndTheName() {
        NamedObjects dir = heap.dir();
        long before = heap.allocator.bytesInUse();
        dir.create("big", 1 << 20, m -> { });
        assertTrue(heap.allocator.bytesInUse() >= before + (1 << 20));
        dir.destroy("big");
        heap.allocator.freeTls(dev.hshm.api.MemContext.DEFAULT);
        assertEquals(before, heap.allocator.bytesInUse());
        assertEquals(List.of(), dir.names());
        assertThrows(NotFoundException.class, () -> dir.destroy("big"));
        assertTrue(dir.create("big", 16, m -> { }).created());
    }

    @Test
    void anEmptyDirectoryCanBeDestroyedAndIsMadeAgainOnNextUse() {
        long before = heap.allocator.bytesInUse();
        NamedObjects dir = heap.dir();
        dir.create("x", 8, m -> { });
        assertThrows(StateException.class, dir::destroyDirectory);
        dir.destroy("x");
        dir.destroyDirectory();
        heap.allocator.freeTls(dev.hshm.api.MemContext.DEFAULT);
        assertEquals(before, heap.allocator.bytesInUse());
        assertEquals(0L, Words.get(heap.allocator.customHeader(), NamedObjects.ROOT));
        assertEquals(List.of(), heap.dir().names());
    }

    @Test
    void namesAreValidatedLikeBackendNames() {
        NamedObjects dir = heap.dir();
        assertThrows(InvalidNameException.class, () -> dir.create("a/b", 16, m -> { }));
        assertThrows(InvalidNameException.class, () -> dir.create("", 16, m -> { }));
        assertThrows(InvalidNameException.class, () -> dir.attach("x".repeat(31)));
        assertThrows(IllegalArgumentException.class, () -> dir.create("ok", 0, m -> { }));
        assertEquals("x".repeat(30), dir.create("x".repeat(30), 8, m -> { }).name());
    }

    @Test
    void aFailingInitializerLeavesNoNameAndNoBlock() {
        NamedObjects dir = heap.dir();
        long before = heap.allocator.bytesInUse();
        assertThrows(IllegalStateException.class, () -> dir.create("bad", 4096, m -> {
            throw new IllegalStateException("init failed");
        }));
        heap.allocator.freeTls(dev.hshm.api.MemContext.DEFAULT);
        assertEquals(before, heap.allocator.bytesInUse());
        assertThrows(NotFoundException.class, () -> dir.attach("bad"));
    }

    @Test
    void anInitializerThatUsesTheDirectoryFailsInsteadOfWaitingOnItself() {
        NamedObjects dir = heap.dir();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> dir.create("outer", 8, m -> dir.create("inner", 8, x -> { })));
        assertTrue(e.getMessage().contains("already held by this thread"), e.getMessage());
        assertEquals(List.of(), dir.names(), "the outer create was undone and the lock released");
    }

    @Test
    void aFullDirectorySaysSo() {
        NamedObjects dir = heap.dir();
        for (int i = 0; i < NamedObjects.CAPACITY; i++) {
            dir.create("n" + i, 8, m -> { });
        }
        StateException e = assertThrows(StateException.class, () -> dir.create("one-more", 8, m -> { }));
        assertTrue(e.getMessage().contains("full"), e.getMessage());
    }

    @Test
    void aCustomHeaderTooSmallForTheRootIsAClearError() {
        try (TestHeap small = TestHeap.withCustomHeader(0)) {
            StateException e = assertThrows(StateException.class, () -> NamedObjects.of(small.allocator));
            assertTrue(e.getMessage().contains("CUSTOM_HEADER_BYTES"), e.getMessage());
        }
    }

    @Test
    void aCorruptEntryStateIsReportedNotFollowed() {
        NamedObjects dir = heap.dir();
        dir.create("x", 8, m -> { });
        long root = Words.get(heap.allocator.customHeader(), NamedObjects.ROOT) - 1;
        var d = heap.allocator.resolve(root, DirectoryLayout.BYTES);
        Words.put(d, DirectoryLayout.entry(0) + DirectoryLayout.E_STATE, 77L);
        var e = assertThrows(dev.hshm.api.CorruptSegmentException.class, () -> dir.attach("x"));
        assertTrue(e.getMessage().contains("state=77"), e.getMessage());
    }

    @Test
    void aProcessKilledInTheMiddleOfACreateLeavesNoHalfMadeObject() throws Exception {
        NamedObjects dir = heap.dir();
        dir.create("other", 8, m -> { });
        try (ChildJvm child = Children.start("create-and-hang", heap.url, "" + heap.allocatorId.major(), "half")) {
            child.await("initializing", 60);
            child.kill();
        }
        NotFoundException e = assertThrows(NotFoundException.class, () -> dir.attach("half"));
        assertTrue(e.getMessage().contains("[other]"), e.getMessage());
        assertTrue(dir.lockRecoveries() >= 1, "the dead creator held the lock");
        assertTrue(dir.openOrCreate("half", 8, m -> { }).created());
    }

    @Test
    void racingProcessesOpenOrCreateExactlyOnce() throws Exception {
        heap.dir();
        List<ChildJvm> kids = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                kids.add(Children.start("open-or-create", heap.url, "" + heap.allocatorId.major(), "raced"));
            }
            for (ChildJvm k : kids) {
                k.await("ready", 60);
            }
            heap.allocator.customHeader().set(ValueLayout.JAVA_LONG, NamedObjects.CUSTOM_HEADER_BYTES, 1L);
            int created = 0;
            Set<String> owners = new TreeSet<>();
            for (ChildJvm k : kids) {
                String l = k.await("created=", 60);
                if (l.startsWith("created=true")) {
                    created++;
                }
                owners.add(l.substring(l.indexOf("owner=")));
                assertEquals(0, k.waitFor(30), k.lines().toString());
            }
            assertEquals(1, created, "exactly one process creates");
            assertEquals(1, owners.size(), "all see the creator's contents: " + owners);
        } finally {
            for (ChildJvm k : kids) {
                k.close();
            }
        }
    }
}
