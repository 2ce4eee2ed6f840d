package dev.hshm.structures;

/**
 * The layout of a {@link ShmVector}: a fixed header (the named object) and a data block that is reallocated
 * as the vector grows.
 *
 * <pre>
 * header ({@value #BYTES} bytes, the named object)
 *   +0   ContainerHeader (type 2, version {@value #LAYOUT_VERSION})
 *   +32  ELEMENT  u64  bytes per element, [1, {@value #MAX_ELEMENT}]                plain, before READY
 *   +40  ALIGN    u64  alignment of elements inside the data (power of two, &lt;= 64)  plain, before READY
 *   +48  DATA     u64  offset of the data block                                     release store; readers acquire
 *   +56  SIZE     u64  elements published: written after the element               release store; readers acquire
 *   +64  GROWS    u64  reallocations so far: stored after DATA, before the old block is freed
 *                      (release); a reader re-reads it after its element to know the block it read was not freed
 *   +72  reserved to +128
 * data block (allocated with {@value #DATA_ALIGNMENT}-byte alignment)
 *   +0   CAPACITY u64  elements the block holds, &gt;= SIZE                          plain, before DATA publishes it
 *   +8   ELEMENT  u64  a copy of the header's, checked on every (re)load             plain, before DATA
 *   +64  ELEMENTS CAPACITY x ELEMENT bytes; element i at ELEMENTS + i * ELEMENT
 * </pre>
 */
final class VectorLayout {

    static final int LAYOUT_VERSION = 1;

    static final long ELEMENT = ContainerHeader.END;
    static final long ALIGN = ELEMENT + 8;
    static final long DATA = ALIGN + 8;
    static final long SIZE = DATA + 8;
    static final long GROWS = SIZE + 8;
    static final long BYTES = 128;

    static final long D_CAPACITY = 0;
    static final long D_ELEMENT = D_CAPACITY + 8;
    static final long D_ELEMENTS = 64;
    static final long DATA_ALIGNMENT = 64;

    static final long MAX_ELEMENT = 1L << 20;
    static final long MIN_CAPACITY = 4;

    static {
        if (GROWS + 8 > BYTES) {
            throw new AssertionError("VectorLayout drifted: GROWS=" + GROWS);
        }
    }

    private VectorLayout() {
    }

    static long dataBytes(long capacity, long element) {
        return D_ELEMENTS + capacity * element;
    }
}
