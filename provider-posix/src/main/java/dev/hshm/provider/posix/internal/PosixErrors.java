package dev.hshm.provider.posix.internal;

import java.util.Map;

/**
 * Symbolic names of the {@code errno} values this module can meet, per operating system: Linux (the
 * asm-generic numbering, shared by x86-64, AArch64, RISC-V, POWER and s390x) and macOS (BSD numbering).
 * The two agree below 35 and differ above ({@code EAGAIN} is 11 on Linux and 35 on macOS,
 * {@code ENAMETOOLONG} 36 and 63, ...), so a name is always looked up in the table of the running OS.
 */
public final class Errno {

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

    private static final Map<Integer, String> TABLE = switch (PosixShm.os()) {
        case MACOS -> MACOS;
        default -> LINUX;
    };

    private Errno() {
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
}
