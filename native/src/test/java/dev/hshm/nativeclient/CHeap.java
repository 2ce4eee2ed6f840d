package dev.hshm.nativeclient;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;
import dev.hshm.api.DoubleFreeException;
import dev.hshm.api.InvalidPointerException;
import dev.hshm.api.NotFoundException;
import dev.hshm.api.OutOfMemoryException;
import dev.hshm.api.StateException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The C client ({@code libhshm.so}) bound through FFM, one heap per instance: every call goes to C and every
 * error code becomes the exception the Java allocators throw for the same fault, with the C message.
 */
final class CHeap implements AutoCloseable {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT;
    private static final java.lang.foreign.AddressLayout ADDR = ValueLayout.ADDRESS;

    private static SymbolLookup lib;
    private static MethodHandle attach;
    private static MethodHandle detach;
    private static MethodHandle open;
    private static MethodHandle close;
    private static MethodHandle alloc;
    private static MethodHandle allocAligned;
    private static MethodHandle realloc;
    private static MethodHandle free;
    private static MethodHandle usable;
    private static MethodHandle bytesInUse;
    private static MethodHandle lastError;
    private static MethodHandle errorName;
    private static MethodHandle startWord;

    private final MemorySegment backend;
    private final MemorySegment heap;
    private final String name;

    private static synchronized void bind() {
        if (lib != null) {
            return;
        }
        SymbolLookup l = SymbolLookup.libraryLookup(NativeBuild.library(), Arena.global());
        attach = h(l, "hshm_backend_attach", FunctionDescriptor.of(I32, ADDR, I32, ADDR));
        detach = h(l, "hshm_backend_detach", FunctionDescriptor.ofVoid(ADDR));
        open = h(l, "hshm_heap_open", FunctionDescriptor.of(I32, ADDR, I32, I32, ADDR));
        close = h(l, "hshm_heap_close", FunctionDescriptor.ofVoid(ADDR));
        alloc = h(l, "hshm_alloc", FunctionDescriptor.of(I32, ADDR, U64, ADDR));
        allocAligned = h(l, "hshm_alloc_aligned", FunctionDescriptor.of(I32, ADDR, U64, U64, ADDR));
        realloc = h(l, "hshm_realloc", FunctionDescriptor.of(I32, ADDR, U64, U64, ADDR));
        free = h(l, "hshm_free", FunctionDescriptor.of(I32, ADDR, U64));
        usable = h(l, "hshm_usable_size", FunctionDescriptor.of(I32, ADDR, U64, ADDR));
        bytesInUse = h(l, "hshm_bytes_in_use", FunctionDescriptor.of(I32, ADDR, ADDR));
        lastError = h(l, "hshm_last_error", FunctionDescriptor.of(ADDR));
        errorName = h(l, "hshm_error_name", FunctionDescriptor.of(ADDR, I32));
        startWord = h(l, "hshm_start_word", FunctionDescriptor.of(U64));
        lib = l;
    }

    private static MethodHandle h(SymbolLookup l, String fn, FunctionDescriptor d) {
        return LINKER.downcallHandle(l.find(fn).orElseThrow(() -> new AssertionError("libhshm lacks " + fn)), d);
    }

    private CHeap(String name, MemorySegment backend, MemorySegment heap) {
        this.name = name;
        this.backend = backend;
        this.heap = heap;
    }

    /** Attaches to {@code url} and opens allocator {@code id} through the C client. */
    static CHeap open(String url, AllocatorId id) {
        bind();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDR);
            check((int) attach.invokeExact(a.allocateFrom(url), 2000, out));
            MemorySegment b = out.get(ADDR, 0);
            int rc = (int) open.invokeExact(b, id.major(), id.minor(), out);
            if (rc != 0) {
                RuntimeException e = error(rc);
                detach.invokeExact(b);
                throw e;
            }
            return new CHeap(url, b, out.get(ADDR, 0));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The error of the last failed call on this thread, as the exception the Java side would throw. */
    static RuntimeException error(int rc) {
        try {
            String msg = ((MemorySegment) lastError.invokeExact()).reinterpret(4096).getString(0);
            String code = ((MemorySegment) errorName.invokeExact(rc)).reinterpret(64).getString(0);
            String text = msg + " [" + code + " from the C client]";
            return switch (rc) {
                case -1 -> new IllegalArgumentException(text);
                case -2 -> new NotFoundException(text);
                case -3 -> new CorruptSegmentException(text);
                case -4 -> new InvalidPointerException(text);
                case -5 -> new DoubleFreeException(text);
                case -6 -> new OutOfMemoryException(text);
                default -> new StateException(text); // owner dead, system call failed, unsupported type
            };
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void check(int rc) {
        if (rc != 0) {
            throw error(rc);
        }
    }

    long alloc(long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(U64);
            check((int) alloc.invokeExact(heap, size, out));
            return out.get(U64, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    long allocAligned(long size, long alignment) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(U64);
            check((int) allocAligned.invokeExact(heap, size, alignment, out));
            return out.get(U64, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    long realloc(long offset, long newSize) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(U64);
            check((int) realloc.invokeExact(heap, offset, newSize, out));
            return out.get(U64, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    void free(long offset) {
        try {
            check((int) free.invokeExact(heap, offset));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    long usableSize(long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(U64);
            check((int) usable.invokeExact(heap, offset, out));
            return out.get(U64, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    long bytesInUse() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(U64);
            check((int) bytesInUse.invokeExact(heap, out));
            return out.get(U64, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** This process's start word as the C client computes it. */
    static long startWord() {
        bind();
        try {
            return (long) startWord.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        try {
            close.invokeExact(heap);
            detach.invokeExact(backend);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
