/**
 * jcstress tests of the heap's lock-free words that are package-private in {@code hshm-allocators} (the robust
 * lock's owner word, the slot lease, the push of a remote free onto a shared span): they live in the heap's own
 * package so that they reach {@code RobustLock}, {@code Words}, {@code Slots} and {@code Heap} directly. The
 * stress jar is shaded and run from the class path, where module boundaries do not apply and these classes and
 * the heap's share one runtime package.
 */
package dev.hshm.allocators.internal.heap;
