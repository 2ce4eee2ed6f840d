package dev.hshm.provider.posix.internal;

import dev.hshm.api.Units;
import java.util.Map;

/**
 * Errors and advice: the advice a failed call's exception carries ({@link #advice}), and the symbolic names of
 * the {@code errno} values this module can meet, per operating system: Linux (the
 * asm-generic numbering, shared by x86-64, AArch64, RISC-V, POWER and s390x) and macOS (BSD numbering).
 * The two agree below 35 and differ above ({@code EAGAIN} is 11 on Linux and 35 on macOS,
 * {@code ENAMETOOLONG} 36 and 63, ...), so a name is always looked up in the table of the running OS.
 */
public final class PosixErrors {

    private static final boolean LINUX_OS = PosixNative.os() == PosixNative.Os.LINUX;

    private static final Map<Integer, String> LINUX = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"),
            Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"), Map.entry(19, "ENODEV"), Map.entry(20, "ENOTDIR"),
            Map.entry(21, "EISDIR"), Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"),
            Map.entry(26, "ETXTBSY"), Map.entry(27, "EFBIG"), Map.entry(28, "ENOSPC"), Map.entry(29, "ESPIPE"),
            Map.entry(30, "EROFS"), Map.entry(34, "ERANGE"), Map.entry(35, "EDEADLK"),
            Map.entry(36, "ENAMETOOLONG"), Map.entry(37, "ENOLCK"), Map.entry(38, "ENOSYS"),
            Map.entry(40, "ELOOP"), Map.entry(75, "EOVERFLOW"), Map.entry(95, "EOPNOTSUPP"),
            Map.entry(122, "EDQUOT"));

    private static final Map<Integer, String> MACOS = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(9, "EBADF"),
            Map.entry(11, "EDEADLK"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"),
            Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"), Map.entry(19, "ENODEV"), Map.entry(20, "ENOTDIR"),
            Map.entry(21, "EISDIR"), Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"),
            Map.entry(26, "ETXTBSY"), Map.entry(27, "EFBIG"), Map.entry(28, "ENOSPC"), Map.entry(29, "ESPIPE"),
            Map.entry(30, "EROFS"), Map.entry(34, "ERANGE"), Map.entry(35, "EAGAIN"), Map.entry(45, "ENOTSUP"),
            Map.entry(62, "ELOOP"), Map.entry(63, "ENAMETOOLONG"), Map.entry(69, "EDQUOT"),
            Map.entry(77, "ENOLCK"), Map.entry(78, "ENOSYS"), Map.entry(84, "EOVERFLOW"),
            Map.entry(102, "EOPNOTSUPP"));

    private static final Map<Integer, String> TABLE = switch (PosixNative.os()) {
        case MACOS -> MACOS;
        default -> LINUX;
    };

    private PosixErrors() {
    }

    /**
     * The symbolic name of an {@code errno} value on the running OS.
     *
     * @param errno the value
     * @return e.g. {@code ENOENT}, or {@code errno<N>} for a value this table does not know
     */
    public static String name(int errno) {
        String n = TABLE.get(errno);
        return n != null ? n : "errno" + errno;
    }

    /**
     * The value of a symbolic name on the running OS.
     *
     * @param name e.g. {@code ENOENT}
     * @return the value, or {@code -1} if this table does not know the name
     */
    public static int value(String name) {
        for (Map.Entry<Integer, String> e : TABLE.entrySet()) {
            if (e.getValue().equals(name)) {
                return e.getKey();
            }
        }
        return -1;
    }

    /**
     * What to do about a failed call, or {@code ""} when there is nothing useful to say.
     *
     * @param function the C function
     * @param errName the errno's symbolic name
     * @param name the shared-memory name involved (with its slash), {@code "anonymous"} for private
     *     mappings, or {@code null}
     * @param size the size involved, or 0
     * @return the advice
     */
    static String advice(String function, String errName, String name, long size) {
        String bare = name == null ? "NAME" : name.startsWith("/") ? name.substring(1) : name;
        boolean anonymous = "anonymous".equals(name);
        return switch (errName) {
            case "ENOSPC", "EFBIG" -> LINUX_OS && !anonymous ? DevShm.tooSmallAdvice(size)
                    : "not enough space for shared memory: size=" + Units.format(size) + "; ask for less";
            case "ENOMEM" -> anonymous
                    ? "not enough memory or address space for a private mapping: size=" + Units.format(size)
                            + "; ask for less, or check 'ulimit -v' and vm.overcommit_memory"
                    : LINUX_OS && size > 0 && DevShm.space().map(v -> v[1] < size).orElse(false)
                            ? DevShm.tooSmallAdvice(size)
                            : "not enough address space to map size=" + Units.format(size) + "; ask for less, or check"
                                    + " 'ulimit -v' and vm.max_map_count";
            case "EEXIST" -> "a segment with this name exists; attach to it, or remove it with 'hshm rm " + bare + "'";
            case "ENOENT" -> function.startsWith("shm_") ? "no shared memory named '" + bare + "'"
                    + (LINUX_OS ? " (no " + DevShm.path(bare) + ")" : "") : "";
            case "EACCES", "EPERM" -> function.startsWith("shm_")
                    ? "permission denied for shared memory '" + bare + "': it belongs to another user, or its mode"
                            + " does not let this user read and write it (hshm creates segments owner-only, 0600; create"
                            + " it with BackendOptions.withMode(0660) to share with the group"
                            + (LINUX_OS ? "; see ls -l " + DevShm.path(bare) : "") + ")"
                    : "operation not permitted";
            case "EMFILE" -> "this process has too many open files: close some or raise 'ulimit -n'";
            case "ENFILE" -> "the system has too many open files: raise fs.file-max";
            case "ENAMETOOLONG" -> "the name is too long for this OS: name='" + bare + "'";
            case "EINVAL" -> switch (function) {
                case "ftruncate" -> "the object cannot be resized to " + size + " bytes (on macOS a shared-memory object"
                        + " can be sized only once)";
                case "mmap" -> "the mapping was refused: length=" + size;
                case "shm_open", "shm_unlink" -> LINUX_OS && java.nio.file.Files.isDirectory(DevShm.path(bare))
                        ? DevShm.path(bare) + " is a directory, not a shared-memory object"
                        : "the OS rejected the name '" + bare + "'";
                default -> "";
            };
            case "ESPIPE" -> "the object is not a regular shared-memory file but a FIFO, socket or device"
                    + (LINUX_OS && name != null ? " (see ls -l " + DevShm.path(bare) + ")" : "");
            case "EMLINK", "ENOSYS", "EOPNOTSUPP", "ENOTSUP" -> "this system does not support POSIX shared memory here"
                    + (LINUX_OS ? " (is a tmpfs mounted on " + DevShm.DIR + "?)" : "");
            default -> "";
        };
    }
}
