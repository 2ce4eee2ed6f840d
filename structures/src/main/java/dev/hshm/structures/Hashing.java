package dev.hshm.structures;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The one 64-bit hash of this package's containers, over bytes ({@link ShmString}, {@link ShmHashMap}) and over
 * {@code long} keys ({@link ShmLongLongMap}). Stored hashes are part of the layouts: changing it changes their
 * layout versions. Eight bytes per multiply, then the MurmurHash3 64-bit finalizer, so every input bit reaches
 * every output bit (the maps take segment bits from the top and slot bits from the bottom).
 */
final class Hashing {

    private static final long K = 0x9E37_79B9_7F4A_7C15L;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private Hashing() {
    }

    /** The MurmurHash3 finalizer: a bijection on 64 bits with full avalanche. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }

    /** The hash of {@code len} bytes at {@code off} of {@code s}. */
    static long hash(MemorySegment s, long off, long len) {
        long h = len * K;
        long i = 0;
        for (; i + 8 <= len; i += 8) {
            h = Long.rotateLeft((h ^ s.get(LONG, off + i)) * K, 31);
        }
        if (i < len) {
            long w = 0;
            for (int b = 0; i < len; i++, b += 8) {
                w |= (s.get(ValueLayout.JAVA_BYTE, off + i) & 0xFFL) << b;
            }
            h = Long.rotateLeft((h ^ w) * K, 31);
        }
        return mix(h);
    }
}
