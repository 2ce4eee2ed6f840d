/**
 * Data structures in shared memory between processes: named objects, wait words and queues.
 *
 * <p><b>Memory ordering (the pairing rule of the whole package).</b> A writer fills a record with plain
 * stores and publishes it with one release store or CAS of its state word (an index, a length, a sequence,
 * a ready word); a reader loads that word with acquire before it reads what the word covers. Every word read
 * from shared memory is untrusted: an index or length computed from one is range-checked before use and a bad
 * one is a {@link dev.hshm.api.CorruptSegmentException} naming the field and value; every loop over shared
 * state is bounded.
 */
package dev.hshm.structures;
