package dev.hshm.structures;

/**
 * The layout of a {@link ShmString}: one block, written once and never changed after READY.
 *
 * <pre>
 *  +0   ContainerHeader (type 3, version {@value #LAYOUT_VERSION})
 *  +32  LENGTH  u64  bytes of UTF-8, [0, allocator memory]          plain, before READY
 *  +40  HASH    u64  {@link Hashing#hash} of the bytes                plain, before READY; checked on attach
 *  +48  ASCII   u32  1 if every byte is below 0x80 (then chars = bytes), else 0
 *  +52  reserved u32
 *  +56  reserved u64
 *  +64  BYTES   LENGTH bytes of UTF-8
 * </pre>
 */
final class StringLayout {

    static final int LAYOUT_VERSION = 1;

    static final long LENGTH = ContainerHeader.END;
    static final long HASH = LENGTH + 8;
    static final long ASCII = HASH + 8;
    static final long BYTES = 64;

    static {
        if (ASCII + 8 > BYTES) {
            throw new AssertionError("StringLayout drifted: ASCII=" + ASCII);
        }
    }

    private StringLayout() {
    }
}
