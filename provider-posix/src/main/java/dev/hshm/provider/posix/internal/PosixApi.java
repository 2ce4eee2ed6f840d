package dev.hshm.provider.posix.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The calls the POSIX backends make, as an interface that tests can mock (a failure at each step of create and
 * attach, without the OS). {@link #NATIVE} is the real thing: every method is the {@link PosixNative} function of
 * the same name, with its errors ({@link dev.hshm.api.NativeException} with errno, name and advice).
 */
public interface PosixApi {

    /** The real calls. */
    PosixApi NATIVE = new PosixApi() {
    };

    /**
     * See {@link PosixNative#pageSize()}.
     *
     * @return the page size
     */
    default int pageSize() {
        return PosixNative.pageSize();
    }

    /**
     * See {@link PosixNative#shmOpen(String, int, int)}.
     *
     * @param name the name with its slash
     * @param oflag {@code O_*} flags
     * @param mode permission bits for a new object
     * @return the descriptor
     */
    default int shmOpen(String name, int oflag, int mode) {
        return PosixNative.shmOpen(name, oflag, mode);
    }

    /**
     * See {@link PosixNative#shmUnlink(String)}.
     *
     * @param name the name with its slash
     */
    default void shmUnlink(String name) {
        PosixNative.shmUnlink(name);
    }

    /**
     * See {@link PosixNative#fchmod(int, int)}.
     *
     * @param fd a descriptor
     * @param mode permission bits
     */
    default void fchmod(int fd, int mode) {
        PosixNative.fchmod(fd, mode);
    }

    /**
     * See {@link PosixNative#ftruncate(int, long)}.
     *
     * @param fd a descriptor
     * @param length the new size
     */
    default void ftruncate(int fd, long length) {
        PosixNative.ftruncate(fd, length);
    }

    /**
     * See {@link PosixNative#allocate(int, long)}.
     *
     * @param fd a descriptor
     * @param length bytes from offset 0 to back with memory now
     */
    default void allocate(int fd, long length) {
        PosixNative.allocate(fd, length);
    }

    /**
     * See {@link PosixNative#objectSize(int)}.
     *
     * @param fd a descriptor
     * @return the object's size
     */
    default long objectSize(int fd) {
        return PosixNative.objectSize(fd);
    }

    /**
     * See {@link PosixNative#mmapShared(int, long, long, long, Arena)}.
     *
     * @param fd a descriptor
     * @param length bytes
     * @param alignment where the byte at {@code skew} must lie
     * @param skew the offset in the mapping that must be aligned
     * @param arena the owning arena
     * @return the mapping
     */
    default MemorySegment mmapShared(int fd, long length, long alignment, long skew, Arena arena) {
        return PosixNative.mmapShared(fd, length, alignment, skew, arena);
    }

    /**
     * See {@link PosixNative#mmapAnonymous(long, long, long, Arena)}.
     *
     * @param length bytes
     * @param alignment where the byte at {@code skew} must lie
     * @param skew the offset in the mapping that must be aligned
     * @param arena the owning arena
     * @return the mapping
     */
    default MemorySegment mmapAnonymous(long length, long alignment, long skew, Arena arena) {
        return PosixNative.mmapAnonymous(length, alignment, skew, arena);
    }

    /**
     * See {@link PosixNative#close(int)}.
     *
     * @param fd a descriptor
     */
    default void close(int fd) {
        PosixNative.close(fd);
    }
}
