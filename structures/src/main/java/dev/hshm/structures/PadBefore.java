package dev.hshm.structures;

/**
 * 64 bytes of padding a thread's own mutable fields extend, so they start a cache line after whatever the object
 * header shares a line with (superclass fields are laid out first, as in Agrona's and JCTools' padded classes).
 * A subclass of the class holding the fields adds the padding after them. {@link MpscRing} keeps its consumer's
 * stall bookkeeping in such an object, off the cache lines of the handle's final fields, which producer threads
 * read on every claim.
 */
@SuppressWarnings("unused")
abstract class PadBefore {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}
