package dev.hshm.provider.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.AlreadyExistsException;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.InvalidNameException;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.NativeException;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.StateException;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.provider.posix.internal.DevShm;
import dev.hshm.testkit.ShmTestNames;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The {@code posix_shm_mmap} backend's own behaviour, beyond the backend contract. Linux: checks /dev/shm. */
@EnabledOnOs(OS.LINUX)
class PosixShmMmapTest {

    private static final long MIB = 1 << 20;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    private final ShmTestNames segs = new ShmTestNames("hshm-t");

    @AfterEach
    void cleanUp() {
        segs.close();
        System.clearProperty(PosixShmMmap.ATTACH_TIMEOUT_PROPERTY);
    }

    private PosixShmMmap create(String name, long size) {
        return segs.track(PosixShmMmap.create(MemoryBackendId.get(5), size, name, 0600));
    }

    private PosixShmMmap attach(String name) {
        return segs.track(PosixShmMmap.attach(name));
    }

    // ------------------------------------------------------------------ create, attach, detach, destroy

    @Test
    void createWriteAttachReadThroughASecondMapping() {
        String name = segs.name();
        PosixShmMmap b = create(name, MIB);
        for (long i = 0; i < MIB; i += 4096) {
            b.data().set(LONG, i, i * 3 + 1);
        }
        PosixShmMmap a = attach(name);
        assertNotEquals(b.data().address(), a.data().address(), "a second, separate mapping");
        assertFalse(a.isCreator());
        assertTrue(a.isShared());
        assertEquals(MemoryBackendId.get(5), a.id(), "the id comes from the header");
        assertEquals(MemoryBackend.POSIX_SHM_MMAP, a.kind());
        assertEquals(name, a.url().orElseThrow());
        assertEquals(MIB, a.dataSize());
        for (long i = 0; i < MIB; i += 4096) {
            assertEquals(i * 3 + 1, a.data().get(LONG, i), "offset " + i);
        }
        assertEquals(BackendHeader.DATA_OFFSET, a.data().address() - a.header().address(), "one contiguous mapping");
    }

    @Test
    void atomicsThroughTwoMappingsSeeEachOther() throws Exception {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        PosixShmMmap a = attach(name);
        var vh = LONG.varHandle();
        int n = 100_000;
        Thread t = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                vh.getAndAdd(a.data(), 64L, 1L);
            }
        });
        for (int i = 0; i < n; i++) {
            vh.getAndAdd(b.data(), 64L, 1L);
        }
        t.join();
        assertEquals(2L * n, (long) vh.getVolatile(b.data(), 64L));
    }

    @Test
    void dataSurvivesDetachAndReattach() {
        String name = segs.name();
        PosixShmMmap b = create(name, MIB);
        b.data().set(LONG, MIB - 8, 0x1122334455667788L);
        b.detach();
        assertFalse(b.isAttached());
        assertTrue(Files.exists(DevShm.path(name)), "detach never removes shared memory");
        PosixShmMmap a = attach(name);
        assertEquals(0x1122334455667788L, a.data().get(LONG, MIB - 8));
        a.detach();
        PosixShmMmap again = attach(name);
        assertEquals(0x1122334455667788L, again.data().get(LONG, MIB - 8));
    }

    @Test
    void attachCountFollowsAttachAndDetach() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        assertEquals(1, BackendHeader.attachCount(b.header()));
        PosixShmMmap a1 = attach(name);
        PosixShmMmap a2 = attach(name);
        assertEquals(3, BackendHeader.attachCount(b.header()));
        a1.detach();
        a2.detach();
        assertEquals(1, BackendHeader.attachCount(b.header()));
    }

    @Test
    void destroyUnlinksSoAttachFailsWithNotFound() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        b.destroy();
        assertFalse(Files.exists(DevShm.path(name)));
        NotFoundException e = assertThrows(NotFoundException.class, () -> PosixShmMmap.attach(name));
        assertTrue(e.getMessage().contains("no shared memory named '" + name + "'"), e.getMessage());
        NativeException cause = assertInstanceOf(NativeException.class, e.getCause());
        assertEquals("ENOENT", cause.errorName());
        assertEquals("shm_open", cause.function());
    }

    @Test
    void destroyOfANameAnotherViewAlreadyRemovedIsQuiet() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        PosixShmMmap a = attach(name);
        a.destroy();
        assertFalse(Files.exists(DevShm.path(name)));
        b.data().set(LONG, 0, 7L);
        assertEquals(7L, b.data().get(LONG, 0), "the creator's view outlives the name");
        b.destroy(); // ENOENT from shm_unlink: the name is gone already, which is what destroy wants
        assertFalse(b.isAttached());
    }

    @Test
    void createRefusesExistingNameAndLeavesItUntouched() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        b.data().set(LONG, 0, 99L);
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class,
                () -> PosixShmMmap.create(MemoryBackendId.get(6), 8192, name, 0600));
        assertTrue(e.getMessage().contains("hshm rm " + name), e.getMessage());
        assertEquals("EEXIST", assertInstanceOf(NativeException.class, e.getCause()).errorName());
        assertEquals(99L, b.data().get(LONG, 0));
        assertEquals(BackendHeader.DATA_OFFSET + 4096, DevShm.path(name).toFile().length(), "not resized");
        assertEquals(99L, attach(name).data().get(LONG, 0));
    }

    @Test
    void createRefusesAForeignObjectOfTheSameName() throws IOException {
        String name = segs.name();
        byte[] foreign = "somebody else's data".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Path p = ForeignShm.write(name, foreign);
        assertThrows(AlreadyExistsException.class, () -> PosixShmMmap.create(MemoryBackendId.get(1), 4096, name, 0600));
        assertArrayEquals(foreign, Files.readAllBytes(p), "the foreign object is neither replaced nor cleaned up");
    }

    @Test
    void anAttachRacingACreateWaitsForItInsteadOfCallingItCorrupt() throws Exception {
        String name = segs.name();
        int rounds = 300;
        AtomicReference<Throwable> attachFailure = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger attached = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread attacher = Thread.ofPlatform().start(() -> {
            while (!stop.get() && attachFailure.get() == null) {
                try {
                    PosixShmMmap a = PosixShmMmap.attach(name);
                    attached.incrementAndGet();
                    a.detach();
                } catch (NotFoundException between) {
                    // the name is gone between two rounds: expected
                } catch (Throwable t) {
                    attachFailure.set(t);
                }
            }
        });
        try {
            for (int i = 0; i < rounds && attachFailure.get() == null; i++) {
                PosixShmMmap b = PosixShmMmap.create(MemoryBackendId.get(3), 64 * 1024, name, 0600);
                b.destroy();
            }
        } finally {
            stop.set(true);
            attacher.join(30_000);
        }
        assertEquals(null, attachFailure.get(), "an attach during a create failed instead of waiting");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void createReservesTheWholeObjectUnlessAskedForSparsePages() throws Exception {
        long size = 8L << 20;
        String reservedName = segs.name();
        segs.track(PosixShmMmap.create(MemoryBackendId.get(8), size, reservedName, 0600, MemoryBackend.POSIX_SHM_MMAP,
                true));
        String sparseName = segs.name();
        segs.track(PosixShmMmap.create(MemoryBackendId.get(9), size, sparseName, 0600, MemoryBackend.POSIX_SHM_MMAP,
                false));
        assertTrue(allocatedBytes(reservedName) >= size, "reserved: " + allocatedBytes(reservedName));
        assertTrue(allocatedBytes(sparseName) < size / 2, "sparse: " + allocatedBytes(sparseName));
    }

    /** st_blocks * 512 of the object, from stat(1). */
    private static long allocatedBytes(String name) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", DevShm.path(name).toString()).start();
        String[] out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                .trim().split(" ");
        assertEquals(0, p.waitFor());
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aSegmentOfAnotherUserIsRefusedAtAttachUnlessAllowed() throws Exception {
        String name = segs.name();
        create(name, 4096);
        int me = (Integer) Files.getAttribute(DevShm.path(name), "unix:uid");
        int other = me == 0 ? 65534 : 0;
        try {
            Files.setAttribute(DevShm.path(name), "unix:uid", other);
        } catch (IOException notRoot) {
            System.out.println("PosixShmMmapTest: cannot chown a segment to uid " + other + " (" + notRoot
                    + "); the other-user refusal is not tested as this user");
            org.junit.jupiter.api.Assumptions.abort("chown not permitted: " + notRoot);
        }
        String owner = Files.getOwner(DevShm.path(name)).getName();
        StateException e = assertThrows(StateException.class, () -> PosixShmMmap.attach(name));
        assertTrue(e.getMessage().contains("belongs to user " + owner + " (uid " + other + ")"), e.getMessage());
        assertTrue(e.getMessage().contains("-D" + PosixShmMmap.ATTACH_OTHER_USERS_PROPERTY + "=true"), e.getMessage());
        System.setProperty(PosixShmMmap.ATTACH_OTHER_USERS_PROPERTY, "true");
        try {
            attach(name).detach();
        } finally {
            System.clearProperty(PosixShmMmap.ATTACH_OTHER_USERS_PROPERTY);
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void attachingADirectoryOrAFifoSaysWhatItIs() throws Exception {
        String dirName = segs.name();
        Path dir = DevShm.path(dirName);
        Files.createDirectory(dir);
        String fifoName = segs.name();
        Path fifo = DevShm.path(fifoName);
        try {
            NativeException d = assertThrows(NativeException.class, () -> PosixShmMmap.attach(dirName));
            assertTrue(d.getMessage().contains(dir + " is a directory, not a shared-memory object"), d.getMessage());
            assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
            NativeException f = assertThrows(NativeException.class, () -> PosixShmMmap.attach(fifoName));
            assertTrue(f.getMessage().contains("not a regular shared-memory file but a FIFO, socket or device"),
                    f.getMessage());
        } finally {
            Files.deleteIfExists(dir);
            Files.deleteIfExists(fifo);
        }
    }

    @Test
    void newSegmentIsOwnerOnlyByDefault() throws IOException {
        String name = segs.name();
        segs.track((PosixShmMmap) new PosixShmMmapProvider().create(MemoryBackendId.get(1), 4096, name,
                BackendOptions.DEFAULT));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(DevShm.path(name)));
    }

    @Test
    void requestedModeIsAppliedExactlyWhateverTheUmask() throws IOException {
        String name = segs.name();
        segs.track((PosixShmMmap) new PosixShmMmapProvider().create(MemoryBackendId.get(1), 4096, name,
                BackendOptions.DEFAULT.withMode(0660)));
        // a umask of 022 (the usual one) would have turned 0660 into 0640 without fchmod
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(DevShm.path(name)));
    }

    @Test
    void leadingSlashIsThePosixSpellingOfTheSameName() {
        String name = segs.name();
        PosixShmMmap b = create("/" + name, 4096);
        assertEquals(name, b.url().orElseThrow());
        assertTrue(Files.exists(DevShm.path(name)));
        assertEquals(b.id(), attach(name).id());
    }

    @Test
    void invalidNamesAreRejectedBeforeAnyNativeCall() {
        for (String bad : new String[] {"", "/", "a/b", "..x", "a..b", "-x", ".x", "bad name", "x".repeat(31), "é"}) {
            InvalidNameException e = assertThrows(InvalidNameException.class,
                    () -> PosixShmMmap.create(MemoryBackendId.get(1), 4096, bad, 0600), bad);
            assertTrue(e.getMessage().contains("url"), e.getMessage());
            assertThrows(InvalidNameException.class, () -> PosixShmMmap.attach(bad), bad);
            assertThrows(InvalidNameException.class, () -> PosixShmMmap.unlink(bad), bad);
        }
        assertThrows(InvalidNameException.class, () -> PosixShmMmap.attach(null));
    }

    @Test
    void nonPositiveAndImpossibleSizesAreRejectedWithoutLeavingAnObject() throws IOException {
        String name = segs.name();
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> create(name, 0));
        assertTrue(zero.getMessage().contains("size=0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> create(name, -4096));
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class, () -> create(name, Long.MAX_VALUE));
        assertTrue(huge.getMessage().contains("too large"), huge.getMessage());
        long tmpfs = Files.getFileStore(DevShm.DIR).getTotalSpace();
        OutOfMemoryException oom = assertThrows(OutOfMemoryException.class, () -> create(name, 2 * tmpfs));
        assertTrue(oom.getMessage().contains("/dev/shm is too small: size="), oom.getMessage());
        assertTrue(oom.getMessage().contains("free="), oom.getMessage());
        assertTrue(oom.getMessage().contains("mount -o remount,size="), oom.getMessage());
        assertFalse(Files.exists(DevShm.path(name)), "nothing left behind");
    }

    @Test
    void sparseBackendsTakeNoPagesUntilTouched() throws IOException {
        String name = segs.name();
        var store = Files.getFileStore(DevShm.DIR);
        long usedBefore = store.getTotalSpace() - store.getUsableSpace();
        PosixShmMmap b = segs.track(PosixShmMmap.create(MemoryBackendId.get(5), 1L << 30, name, 0600,
                MemoryBackend.POSIX_SHM_MMAP, false));
        b.data().set(LONG, (1L << 30) - 8, 1L); // the last page
        assertEquals(BackendHeader.DATA_OFFSET + (1L << 30), Files.size(DevShm.path(name)));
        long grew = (store.getTotalSpace() - store.getUsableSpace()) - usedBefore;
        // only the header page and the touched page are real (generous bound: other programs share the tmpfs)
        assertTrue(grew < (256L << 20), "a 1 GiB backend took " + grew + " bytes of /dev/shm at once");
    }

    // ------------------------------------------------------------------ attach rejects

    @Test
    void attachToAMissingNameIsNotFound() {
        String name = segs.name();
        NotFoundException e = assertThrows(NotFoundException.class, () -> PosixShmMmap.attach(name));
        assertTrue(e.getMessage().contains("/dev/shm/" + name), e.getMessage());
    }

    @Test
    void attachRejectsAForeignFileOfRandomBytes() throws IOException {
        String name = segs.name();
        byte[] junk = new byte[64 * 1024];
        new Random(42).nextBytes(junk);
        ForeignShm.write(name, junk);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
        assertTrue(e.getMessage().contains("url=" + name), e.getMessage());
    }

    @Test
    void attachRejectsAnObjectTooSmallForAHeader() throws IOException {
        String small = segs.name();
        ForeignShm.write(small, new byte[100]);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(small));
        assertTrue(e.getMessage().contains("too small for a header"), e.getMessage());
        assertTrue(e.getMessage().contains("size=100"), e.getMessage());
        String empty = segs.name();
        ForeignShm.write(empty, new byte[0]);
        assertTrue(assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(empty))
                .getMessage().contains("size=0"));
    }

    @Test
    void attachRejectsTruncatedSegment() throws IOException {
        String name = segs.name();
        create(name, MIB); // the creator's view must not touch its data after this: those pages are gone
        try (FileChannel ch = FileChannel.open(DevShm.path(name), StandardOpenOption.WRITE)) {
            ch.truncate(BackendHeader.DATA_OFFSET + 4096);
        }
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name));
        assertTrue(e.getMessage().contains("truncated segment"), e.getMessage());
        assertTrue(e.getMessage().contains("dataSize=" + MIB), e.getMessage());
    }

    @Test
    void attachRejectsAHeaderWhoseDataSizeExceedsTheObject() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        b.header().set(LONG, BackendHeader.DATA_SIZE_OFFSET, Long.MAX_VALUE - 5);
        assertTrue(assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name)).getMessage()
                .contains("truncated segment"));
        b.header().set(LONG, BackendHeader.DATA_SIZE_OFFSET, -1);
        assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name));
    }

    @Test
    void attachRejectsWrongMagic() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        b.header().set(LONG, BackendHeader.MAGIC_OFFSET, 0x1234L);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
        assertTrue(e.getMessage().contains("found=0x1234"), e.getMessage());
    }

    @Test
    void attachRejectsASegmentOfTheOtherByteOrder() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        b.header().set(LONG, BackendHeader.MAGIC_OFFSET, Long.reverseBytes(BackendHeader.MAGIC));
        assertTrue(assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name)).getMessage()
                .contains("byte order"));
    }

    @Test
    void attachRejectsWrongLayoutVersion() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        b.header().set(ValueLayout.JAVA_INT, BackendHeader.LAYOUT_VERSION_OFFSET, 99);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name));
        assertTrue(e.getMessage().contains("unsupported layout version"), e.getMessage());
        assertTrue(e.getMessage().contains("found=99"), e.getMessage());
    }

    @Test
    void attachRejectsWrongKind() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        BackendHeader.putAscii(b.header(), BackendHeader.KIND_OFFSET, BackendHeader.KIND_BYTES, MemoryBackend.MALLOC);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name));
        assertTrue(e.getMessage().contains("kind='malloc'"), e.getMessage());
    }

    @Test
    void attachAcceptsGpuKindsWhichArePosixSharedMemoryToo() {
        for (String kind : new String[] {MemoryBackend.CUDA_SHM_MMAP, MemoryBackend.ROCM_SHM_MMAP}) {
            String name = segs.name();
            PosixShmMmap b = create(name, 4096);
            BackendHeader.putAscii(b.header(), BackendHeader.KIND_OFFSET, BackendHeader.KIND_BYTES, kind);
            b.data().set(LONG, 0, 5L);
            PosixShmMmap a = attach(name);
            assertEquals(MemoryBackend.POSIX_SHM_MMAP, a.kind(), "this view is plain POSIX shared memory");
            assertEquals(kind, BackendHeader.kind(a.header()), "the header keeps the creator's kind");
            assertEquals(5L, a.data().get(LONG, 0));
        }
    }

    @Test
    void attachWaitsForANotReadyHeaderThenFails() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        b.header().set(LONG, BackendHeader.READY_OFFSET, 0L); // as if this (live) process were still formatting
        System.setProperty(PosixShmMmap.ATTACH_TIMEOUT_PROPERTY, "150");
        long t0 = System.nanoTime();
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name));
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains("header not ready"), e.getMessage());
        assertTrue(e.getMessage().contains("creatorAlive=true"), e.getMessage());
        assertTrue(waitedMs >= 150, "waited " + waitedMs + " ms");
        assertEquals(1, BackendHeader.attachCount(b.header()), "a failed attach leaves the count alone");
    }

    @Test
    void attachSucceedsWhenTheCreatorPublishesWhileItWaits() throws Exception {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        b.header().set(LONG, BackendHeader.READY_OFFSET, 0L);
        System.setProperty(PosixShmMmap.ATTACH_TIMEOUT_PROPERTY, "10000");
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Object> result = new AtomicReference<>();
        Thread attacher = Thread.ofPlatform().start(() -> {
            started.countDown();
            try {
                result.set(segs.track(PosixShmMmap.attach(name)));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        started.await();
        Thread.sleep(100);
        BackendHeader.publish(b.header());
        attacher.join(10_000);
        assertInstanceOf(PosixShmMmap.class, result.get(), String.valueOf(result.get()));
    }

    @Test
    void attachFailsAtOnceWhenTheCreatorDiedBeforePublishing() throws Exception {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        Process dead = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        dead.waitFor();
        b.header().set(LONG, BackendHeader.READY_OFFSET, 0L);
        b.header().set(LONG, BackendHeader.CREATOR_PID_OFFSET, dead.pid());
        System.setProperty(PosixShmMmap.ATTACH_TIMEOUT_PROPERTY, "10000");
        long t0 = System.nanoTime();
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 5000, "did not wait for a dead creator");
        assertTrue(e.getMessage().contains("creatorAlive=false"), e.getMessage());
        assertTrue(e.getMessage().contains("hshm rm " + name), e.getMessage());
    }

    @Test
    void attachRejectsAGarbageReadyWord() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        b.header().set(LONG, BackendHeader.READY_OFFSET, 0xDEADL);
        assertTrue(assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.attach(name)).getMessage()
                .contains("bad ready word"));
    }

    // ------------------------------------------------------------------ list and unlink

    @Test
    void listShowsOurSegmentsAndNotForeignObjects() throws IOException {
        String ours = segs.name();
        String foreign = segs.name();
        String empty = segs.name();
        create(ours, 4096);
        ForeignShm.write(foreign, "PULSEAUDIO-SHM-xxxxxxxx".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        ForeignShm.write(empty, new byte[0]);
        var list = new PosixShmMmapProvider().list();
        assertTrue(list.contains(ours), list.toString());
        assertFalse(list.contains(foreign), list.toString());
        assertFalse(list.contains(empty), list.toString());
        assertEquals(list.stream().sorted().toList(), list, "sorted");
    }

    @Test
    void unlinkRemovesTheNameButMappedViewsKeepWorking() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        b.data().set(LONG, 8, 3L);
        new PosixShmMmapProvider().unlink(name);
        assertFalse(Files.exists(DevShm.path(name)));
        assertFalse(PosixShmMmap.list().contains(name));
        assertEquals(3L, b.data().get(LONG, 8));
        assertThrows(NotFoundException.class, () -> PosixShmMmap.attach(name));
    }

    @Test
    void unlinkOfAMissingNameIsNotFound() {
        String name = segs.name();
        NotFoundException e = assertThrows(NotFoundException.class, () -> PosixShmMmap.unlink(name));
        assertEquals("ENOENT", assertInstanceOf(NativeException.class, e.getCause()).errorName());
        assertTrue(e.getCause().getMessage().contains("shm_unlink failed: ENOENT (2)"), e.getCause().getMessage());
    }

    @Test
    void unlinkRefusesAnotherProgramsObject() throws IOException {
        String name = segs.name();
        byte[] content = new byte[4096];
        Arrays.fill(content, (byte) 7);
        Path p = ForeignShm.write(name, content);
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> PosixShmMmap.unlink(name));
        assertTrue(e.getMessage().contains("refusing to remove"), e.getMessage());
        assertTrue(Files.exists(p));
    }

    @Test
    void unlinkRemovesAHalfCreatedObject() throws IOException {
        String name = segs.name();
        ForeignShm.write(name, new byte[0]); // a creator that died between shm_open and ftruncate leaves this
        PosixShmMmap.unlink(name);
        assertFalse(Files.exists(DevShm.path(name)));
        create(name, 4096); // and the name can be created again
    }

    @Test
    void detachedViewThrowsInsteadOfCrashing() {
        String name = segs.name();
        PosixShmMmap b = create(name, 4096);
        MemorySegment data = b.data();
        MemorySegment header = b.header();
        b.detach();
        assertThrows(IllegalStateException.class, () -> data.get(LONG, 0));
        assertThrows(IllegalStateException.class, () -> header.get(LONG, 0));
        assertThrows(dev.hshm.api.StateException.class, b::header);
    }
}
