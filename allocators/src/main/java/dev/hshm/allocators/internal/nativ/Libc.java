package dev.hshm.allocators.internal.nativ;

import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.spi.NativeAccess;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.function.Consumer;

/**
 * The C library functions the built-ins call: {@code malloc}, {@code realloc}, {@code free}. The one
 * place in this module where native functions are bound; downcall handles are resolved once, named after
 * the C symbol. Available on every platform the JDK runs on (the linker's default lookup includes the C
 * runtime).
 */
@SuppressWarnings("restricted")
public final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final MethodHandle MALLOC = bind("malloc",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle REALLOC = bind("realloc",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle FREE = bind("free",
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));

    static {
        Module m = Libc.class.getModule();
        if (!m.isNativeAccessEnabled()) {
            System.getLogger(Libc.class.getName()).log(System.Logger.Level.WARNING, "hshm: native access is not "
                    + "enabled for " + (m.isNamed() ? "module " + m.getName() : "the class path")
                    + "; add --enable-native-access=" + (m.isNamed() ? m.getName()
                    + " (and each provider module you use)" : "ALL-UNNAMED")
                    + " to the java command (future JDKs will refuse without it)");
        }
    }

    private Libc() {
    }

    private static MethodHandle bind(String name, FunctionDescriptor fd) {
        MemorySegment sym = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("C library symbol not found: " + name));
        return LINKER.downcallHandle(sym, fd);
    }

    /**
     * {@code malloc(size)}.
     *
     * @param size bytes
     * @return the address
     * @throws OutOfMemoryException if malloc returns {@code NULL}
     */
    public static long malloc(long size) {
        MemorySegment p;
        try {
            p = (MemorySegment) MALLOC.invokeExact(size);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        if (p.address() == 0) {
            throw new OutOfMemoryException("malloc returned NULL: size=" + size);
        }
        return p.address();
    }

    /**
     * {@code realloc(address, size)}.
     *
     * @param address a block from {@link #malloc}
     * @param size new size
     * @return the new address; the old one is freed
     * @throws OutOfMemoryException if realloc returns {@code NULL} (the old block is then kept)
     */
    public static long realloc(long address, long size) {
        MemorySegment p;
        try {
            p = (MemorySegment) REALLOC.invokeExact(MemorySegment.ofAddress(address), size);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        if (p.address() == 0) {
            throw new OutOfMemoryException("realloc returned NULL: size=" + size);
        }
        return p.address();
    }

    /**
     * {@code free(address)}.
     *
     * @param address a block from {@link #malloc} or {@link #realloc}
     */
    public static void free(long address) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /**
     * A segment of {@code size} bytes at {@code address}, owned by {@code arena}; {@code cleanup} runs
     * when the arena closes.
     *
     * @param address the start
     * @param size bytes
     * @param arena the owning arena
     * @param cleanup what to run on close, or {@code null}
     * @return the segment
     */
    public static MemorySegment segment(long address, long size, Arena arena, Consumer<MemorySegment> cleanup) {
        return MemorySegment.ofAddress(address).reinterpret(size, arena, cleanup);
    }

    /**
     * The whole address space as one segment: for the {@code malloc} allocator, whose offsets are
     * addresses.
     *
     * @return the everything segment
     */
    public static MemorySegment everything() {
        return MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    }

}
