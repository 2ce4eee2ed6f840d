package dev.hshm.structures;

import dev.hshm.api.OffsetPointer;
import dev.hshm.api.spi.ShmNames;
import dev.hshm.testkit.CHeader;
import dev.hshm.testkit.CHeader.Struct;

/**
 * Renders {@code native/include/hshm_structures.h}, the C view of the structures' published layouts
 * (docs/layout.md section 10): the named-object directory, its robust lock and the structures' owner word, the wait
 * word, the queue and container headers, the SPSC ring and the MPSC ring with its record header. Every offset, size
 * and value is read from the layout constant the Java structures use, never typed twice; each struct gets a
 * {@code _Static_assert} per field, and {@code CStructuresLayoutTest} fails when the checked-in header differs from
 * what this class renders. Regenerate with
 * {@code ./mvnw -pl structures test -Dtest=CStructuresLayoutTest -Dhshm.layout.write=true}.
 *
 * <p>The prefixes keep clear of {@code hshm_layout.h}'s (a C file includes both): {@code HSHM_NAMED_} (constants),
 * {@code HSHM_ND_} / {@code HSHM_NE_} (directory, entry), {@code HSHM_SLOCK_}, {@code HSHM_SOWNER_},
 * {@code HSHM_WW_} / {@code HSHM_WAIT_}, {@code HSHM_QUEUE_} / {@code HSHM_QH_}, {@code HSHM_CONTAINER_} /
 * {@code HSHM_CH_}, {@code HSHM_SPSC_}, {@code HSHM_MPSC_} / {@code HSHM_MR_}.
 */
final class CStructuresLayout {

    private CStructuresLayout() {
    }

    /**
     * The text of {@code hshm_structures.h}.
     *
     * @return the header, with a trailing newline
     */
    static String render() {
        StringBuilder o = new StringBuilder();
        o.append("""
                /*
                 * hshm_structures.h: the published layouts of hshm-java's shared data structures (named objects, wait
                 * words, queues), in C11 (libc headers only).
                 * GENERATED from the Java layout classes by dev.hshm.structures.CStructuresLayout; do not edit.
                 * Regenerate: ./mvnw -pl structures test -Dtest=CStructuresLayoutTest -Dhshm.layout.write=true
                 * CStructuresLayoutTest fails the build when this file differs from the layout classes. The prose, the
                 * memory ordering of every word and what a death leaves are in docs/layout.md (section 10) and
                 * docs/structures.md.
                 *
                 * Every word is stored in the creating machine's byte order; the u64 constants below are values (on a
                 * little-endian machine "HSHMQUEU" lies in memory as the bytes of "UEUQMHSH"). Offsets stored in shared
                 * memory are data offsets (relative to the start of the backend's data), as in hshm_layout.h.
                 */
                #ifndef HSHM_STRUCTURES_H
                #define HSHM_STRUCTURES_H

                #include <stddef.h>
                #include <stdint.h>

                """);

        // ------------------------------------------------------------------------------- owner word, lock
        o.append("/* ---- the structures' owner word (Owner): pid << 32 | (process start in epoch ms / 1000), u32 ----\n"
                + " * One word, one store, never torn. 0 = nobody. Alive iff the pid runs and its start time, in ms, is\n"
                + " * within 1000 ms of (low half) * 1000 + 500 (a low half of 0: the pid only). Not the allocator's owner\n"
                + " * word of hshm_layout.h (that one is pid << 32 | thread, with a separate start word). */\n");
        CHeader.define(o, "HSHM_SOWNER_NONE", Long.toString(Owner.NONE), "nobody");
        CHeader.define(o, "HSHM_SOWNER_PID_SHIFT", "32", "pid in the high half, start seconds in the low half");
        o.append('\n');
        o.append("/* ---- the directory lock (SharedLock): CAS OWNER 0 -> me; unlock: release store 0 ----\n"
                + " * Waiters spin, yield, then sleep with pauses doubling to MAX_PAUSE_US, and about every\n"
                + " * LIVENESS_CHECK_NS ask whether the holder lives; a dead holder is taken over with one CAS from its\n"
                + " * word to mine (RECOVERIES += 1). */\n");
        CHeader.define(o, "HSHM_SLOCK_SPINS", Integer.toString(SharedLock.SPINS), "");
        CHeader.define(o, "HSHM_SLOCK_YIELDS", Integer.toString(SharedLock.YIELDS), "");
        CHeader.define(o, "HSHM_SLOCK_MAX_PAUSE_US", Long.toString(SharedLock.MAX_PAUSE_US), "");
        CHeader.define(o, "HSHM_SLOCK_LIVENESS_CHECK_NS", Long.toString(SharedLock.LIVENESS_CHECK_NANOS), "");
        o.append('\n');
        Struct lock = new Struct("hshm_shared_lock", SharedLock.BYTES,
                "The directory's robust lock; its owner is a process (a structures owner word), not a thread.")
                .u64("owner", SharedLock.OWNER, "HSHM_SOWNER_NONE or the holder's owner word")
                .u64("recoveries", SharedLock.RECOVERIES, "dead holders taken over (atomic add)");
        lock.render(o, "HSHM_SLOCK");

        // ------------------------------------------------------------------------------- named objects
        o.append("/* ---- named-object directory (NamedObjects, DirectoryLayout) ----\n"
                + " * Bytes [0, HSHM_NAMED_CUSTOM_HEADER_BYTES) of an allocator's custom header are the directory's; the\n"
                + " * u64 at HSHM_NAMED_ROOT holds the directory block's data offset plus one (0: no directory yet),\n"
                + " * acquire load. Every entry is read and written under the directory lock; after every acquisition of\n"
                + " * the lock an entry still CREATING was abandoned by a dead creator. */\n");
        CHeader.define(o, "HSHM_NAMED_CUSTOM_HEADER_BYTES", Long.toString(NamedObjects.CUSTOM_HEADER_BYTES), "");
        CHeader.define(o, "HSHM_NAMED_ROOT", Long.toString(NamedObjects.ROOT), "offset of the root word in the custom header");
        CHeader.define(o, "HSHM_NAMED_OBJECT_ALIGNMENT", Long.toString(NamedObjects.OBJECT_ALIGNMENT),
                "every object's block (and the directory's), relative to the data");
        CHeader.define(o, "HSHM_NAMED_DIR_MAGIC", CHeader.hex(DirectoryLayout.MAGIC), CHeader.bytesNote(DirectoryLayout.MAGIC));
        CHeader.define(o, "HSHM_NAMED_DIR_READY", CHeader.hex(DirectoryLayout.READY_VALUE),
                CHeader.bytesNote(DirectoryLayout.READY_VALUE));
        CHeader.define(o, "HSHM_NAMED_DIR_VERSION", Integer.toString(DirectoryLayout.LAYOUT_VERSION), "");
        CHeader.define(o, "HSHM_NAMED_ENTRIES", Integer.toString(DirectoryLayout.ENTRY_COUNT), "names per directory");
        CHeader.define(o, "HSHM_NAMED_NAME_BYTES", Integer.toString(DirectoryLayout.NAME_BYTES), "");
        CHeader.define(o, "HSHM_NAMED_MAX_NAME", Integer.toString(ShmNames.MAX_LENGTH),
                "1..30 of [A-Za-z0-9._-], not starting with '.' or '-', no \"..\"");
        CHeader.define(o, "HSHM_NAMED_EMPTY", Long.toString(DirectoryLayout.EMPTY), "");
        CHeader.define(o, "HSHM_NAMED_CREATING", Long.toString(DirectoryLayout.CREATING),
                "a create in progress, or abandoned by a dead creator");
        CHeader.define(o, "HSHM_NAMED_READY", Long.toString(DirectoryLayout.READY), "published (release store)");
        CHeader.define(o, "HSHM_NAMED_NO_OFFSET", "UINT64_MAX", "OFFSET of an entry without a block ("
                + OffsetPointer.NULL_OFFSET + ")");
        o.append('\n');
        Struct entry = new Struct("hshm_named_entry", DirectoryLayout.ENTRY_BYTES,
                "One directory entry; every field under the directory lock.")
                .u64("state", DirectoryLayout.E_STATE, "HSHM_NAMED_EMPTY / CREATING / READY")
                .u64("creator", DirectoryLayout.E_CREATOR, "owner word of the creating process")
                .u64("offset", DirectoryLayout.E_OFFSET, "the object's block, or HSHM_NAMED_NO_OFFSET")
                .u64("size", DirectoryLayout.E_SIZE, "the object's bytes")
                .u32("name_len", DirectoryLayout.E_NAME_LEN, "1..HSHM_NAMED_MAX_NAME")
                .chars("name", DirectoryLayout.E_NAME, DirectoryLayout.NAME_BYTES, "ASCII, NUL-padded");
        entry.render(o, "HSHM_NE");
        Struct dir = new Struct("hshm_named_dir", DirectoryLayout.BYTES,
                "The directory block. MAGIC, VERSION, ENTRIES are plain stores before READY (release store, last);\n"
                        + "readers acquire READY first.")
                .u64("magic", DirectoryLayout.MAGIC_OFFSET, "HSHM_NAMED_DIR_MAGIC")
                .u32("version", DirectoryLayout.VERSION_OFFSET, "HSHM_NAMED_DIR_VERSION")
                .u32("entry_count", DirectoryLayout.ENTRIES_OFFSET, "HSHM_NAMED_ENTRIES")
                .nested("lock", DirectoryLayout.LOCK_OFFSET, lock, 1, "")
                .u64("ready", DirectoryLayout.READY_OFFSET, "HSHM_NAMED_DIR_READY once formatted")
                .nested("entries", DirectoryLayout.HEADER_BYTES, entry, DirectoryLayout.ENTRY_COUNT, "");
        dir.render(o, "HSHM_ND");

        // ------------------------------------------------------------------------------- wait word
        o.append("/* ---- wait word (WaitWord), 4-aligned ----\n"
                + " * Waiter: WAITERS += 1; loop { seq = SEQUENCE; re-check the condition; futex(FUTEX_WAIT, seq, slice) }\n"
                + " * with the first slice at most HSHM_WAIT_FIRST_SLICE_NS, doubling to HSHM_WAIT_MAX_SLICE_NS; then\n"
                + " * WAITERS -= 1. Waker, after its release store of the change: if WAITERS (relaxed load) != 0,\n"
                + " * SEQUENCE += 1 and futex(FUTEX_WAKE, INT_MAX). The futex is SHARED: no FUTEX_PRIVATE_FLAG, so JVMs\n"
                + " * and C processes wake each other. A waiter that sees no progress for HSHM_WAIT_MAX_SLICE_NS asks\n"
                + " * whether its peer (the queue header's CONSUMER or PRODUCER) still runs. */\n");
        CHeader.define(o, "HSHM_WAIT_FIRST_SLICE_NS", Long.toString(WaitWord.FIRST_SLICE_NANOS),
                "the most a wake lost to the unfenced signal costs");
        CHeader.define(o, "HSHM_WAIT_MAX_SLICE_NS", Long.toString(Blocking.SLICE_NANOS),
                "longest sleep; also the peer liveness check interval");
        o.append('\n');
        Struct ww = new Struct("hshm_wait_word", WaitWord.BYTES, "A wait word; both fields atomic add.")
                .i32("sequence", WaitWord.SEQUENCE, "bumped by a signal that finds a waiter; the futex word")
                .i32("waiters", WaitWord.WAITERS, "threads between prepare and finish");
        ww.render(o, "HSHM_WW");

        // ------------------------------------------------------------------------------- queue header
        o.append("/* ---- queue header (QueueHeader): the first 64 bytes of every queue, padded to HSHM_QH_BYTES ---- */\n");
        CHeader.define(o, "HSHM_QUEUE_MAGIC", CHeader.hex(QueueHeader.MAGIC), CHeader.bytesNote(QueueHeader.MAGIC));
        CHeader.define(o, "HSHM_QUEUE_READY", CHeader.hex(QueueHeader.READY_VALUE), CHeader.bytesNote(QueueHeader.READY_VALUE));
        CHeader.define(o, "HSHM_QUEUE_TYPE_SPSC", Integer.toString(QueueHeader.SPSC), "");
        CHeader.define(o, "HSHM_QUEUE_TYPE_MPSC", Integer.toString(QueueHeader.MPSC), "");
        CHeader.define(o, "HSHM_QUEUE_TYPE_MPMC", Integer.toString(QueueHeader.MPMC), "");
        CHeader.define(o, "HSHM_QUEUE_TYPE_BROADCAST", Integer.toString(QueueHeader.BROADCAST), "");
        CHeader.define(o, "HSHM_QUEUE_MPMC_VERSION", Integer.toString(MpmcLayout.LAYOUT_VERSION), "(layout not rendered here)");
        CHeader.define(o, "HSHM_QUEUE_BROADCAST_VERSION", Integer.toString(BroadcastLayout.LAYOUT_VERSION),
                "(layout not rendered here)");
        o.append('\n');
        Struct qh = new Struct("hshm_queue_header", QueueHeader.END,
                "MAGIC..ELEMENT are plain stores before READY (release store, last); attachers acquire READY.")
                .u64("magic", QueueHeader.MAGIC_OFFSET, "HSHM_QUEUE_MAGIC")
                .u32("type", QueueHeader.TYPE_OFFSET, "HSHM_QUEUE_TYPE_*")
                .u32("version", QueueHeader.VERSION_OFFSET, "the queue's layout version")
                .u64("capacity", QueueHeader.CAPACITY_OFFSET, "slots (spsc) or buffer bytes (mpsc), a power of 2")
                .u64("element", QueueHeader.ELEMENT_OFFSET, "bytes per slot (spsc) or largest payload (mpsc)")
                .u64("consumer", QueueHeader.CONSUMER_OFFSET, "owner word of the last registered consumer, or 0")
                .u64("producer", QueueHeader.PRODUCER_OFFSET, "owner word of the single producer (spsc), or 0")
                .u64("reserved", QueueHeader.RESERVED_OFFSET, "0")
                .u64("ready", QueueHeader.READY_OFFSET, "HSHM_QUEUE_READY once formatted");
        qh.render(o, "HSHM_QH");

        // ------------------------------------------------------------------------------- container header
        o.append("/* ---- container header (ContainerHeader): mutex, vector, string, hash maps ---- */\n");
        CHeader.define(o, "HSHM_CONTAINER_MAGIC", CHeader.hex(ContainerHeader.MAGIC), CHeader.bytesNote(ContainerHeader.MAGIC));
        CHeader.define(o, "HSHM_CONTAINER_READY", CHeader.hex(ContainerHeader.READY_VALUE),
                CHeader.bytesNote(ContainerHeader.READY_VALUE));
        CHeader.define(o, "HSHM_CONTAINER_TYPE_MUTEX", Integer.toString(ContainerHeader.MUTEX), "");
        CHeader.define(o, "HSHM_CONTAINER_TYPE_VECTOR", Integer.toString(ContainerHeader.VECTOR), "");
        CHeader.define(o, "HSHM_CONTAINER_TYPE_STRING", Integer.toString(ContainerHeader.STRING), "");
        CHeader.define(o, "HSHM_CONTAINER_TYPE_HASH_MAP", Integer.toString(ContainerHeader.HASH_MAP), "");
        CHeader.define(o, "HSHM_CONTAINER_TYPE_LONG_LONG_MAP", Integer.toString(ContainerHeader.LONG_LONG_MAP), "");
        CHeader.define(o, "HSHM_CONTAINER_MUTEX_VERSION", Integer.toString(MutexLayout.LAYOUT_VERSION), "");
        CHeader.define(o, "HSHM_CONTAINER_VECTOR_VERSION", Integer.toString(VectorLayout.LAYOUT_VERSION), "");
        CHeader.define(o, "HSHM_CONTAINER_STRING_VERSION", Integer.toString(StringLayout.LAYOUT_VERSION), "");
        CHeader.define(o, "HSHM_CONTAINER_MAP_VERSION", Integer.toString(MapLayout.LAYOUT_VERSION), "both hash maps");
        o.append('\n');
        Struct ch = new Struct("hshm_container_header", ContainerHeader.END,
                "MAGIC, TYPE, VERSION are plain stores before READY (release store, last); attachers acquire READY.")
                .u64("magic", ContainerHeader.MAGIC_OFFSET, "HSHM_CONTAINER_MAGIC")
                .u32("type", ContainerHeader.TYPE_OFFSET, "HSHM_CONTAINER_TYPE_*")
                .u32("version", ContainerHeader.VERSION_OFFSET, "the container's layout version")
                .u64("ready", ContainerHeader.READY_OFFSET, "HSHM_CONTAINER_READY once formatted")
                .u64("reserved", ContainerHeader.RESERVED_OFFSET, "0");
        ch.render(o, "HSHM_CH");

        // ------------------------------------------------------------------------------- spsc
        o.append("/* ---- SPSC ring (SpscRing, SpscLayout): fixed-size elements ----\n"
                + " * Element n (n = HEAD for the consumer, TAIL for the producer) lies at\n"
                + " * HSHM_SPSC_SLOTS + (n & (CAPACITY - 1)) * ELEMENT. Producer: write the slot, release store\n"
                + " * TAIL = n + 1, signal NOT_EMPTY. Consumer: acquire TAIL, read the slot, release store HEAD = n + 1,\n"
                + " * signal NOT_FULL. Invariant, checked on every load of the other side's index:\n"
                + " * 0 <= TAIL - HEAD <= CAPACITY. The object is HSHM_SPSC_SLOTS + CAPACITY * ELEMENT bytes. */\n");
        CHeader.define(o, "HSHM_SPSC_VERSION", Integer.toString(SpscLayout.LAYOUT_VERSION), "");
        CHeader.define(o, "HSHM_SPSC_SLOTS", Long.toString(SpscLayout.SLOTS), "the first slot");
        CHeader.define(o, "HSHM_SPSC_MIN_CAPACITY", Long.toString(SpscLayout.MIN_CAPACITY), "slots, a power of two");
        CHeader.define(o, "HSHM_SPSC_MAX_CAPACITY", Long.toString(SpscLayout.MAX_CAPACITY), "");
        CHeader.define(o, "HSHM_SPSC_MIN_ELEMENT", Long.toString(SpscLayout.MIN_ELEMENT), "bytes, a multiple of 8");
        CHeader.define(o, "HSHM_SPSC_MAX_ELEMENT", Long.toString(SpscLayout.MAX_ELEMENT), "");
        o.append('\n');
        Struct spsc = new Struct("hshm_spsc_ring", SpscLayout.SLOTS,
                "The fixed part of an SPSC ring (the slots follow at HSHM_SPSC_SLOTS). TAIL and HEAD are two cache\n"
                        + "lines apart.")
                .nested("header", 0, qh, 1, "type HSHM_QUEUE_TYPE_SPSC")
                .u64("tail", SpscLayout.TAIL, "elements ever offered; producer only (release); consumer acquires")
                .u64("head", SpscLayout.HEAD, "elements ever taken; consumer only (release); producer acquires")
                .nested("not_empty", SpscLayout.NOT_EMPTY, ww, 1, "the consumer sleeps here")
                .nested("not_full", SpscLayout.NOT_FULL, ww, 1, "the producer sleeps here");
        spsc.render(o, "HSHM_SPSC");

        // ------------------------------------------------------------------------------- mpsc
        o.append("/* ---- MPSC ring (MpscRing, MpscLayout): variable-length records, Agrona's framing ----\n"
                + " * A record lies at HSHM_MPSC_BUFFER + (index & (CAPACITY - 1)), 8-aligned, never split by the wrap (a\n"
                + " * padding record fills the end). Its WORD is LENGTH (bits 0..31, i32) | TYPE (bits 32..55, u24) |\n"
                + " * CLAIMER (bits 56..63, u8): LENGTH 0 not written; < 0 claimed, -(8 + payload), CLAIMER = the\n"
                + " * claimer's producer slot (0: none, the table was full); > 0 committed, 8 + payload, CLAIMER 0. Bits\n"
                + " * 32..63 all ones: padding; else TYPE is the user's (1..HSHM_MPSC_MAX_TYPE). A record occupies\n"
                + " * align8(|LENGTH|) bytes. A producer process first takes a slot of PRODUCERS (CAS OWNER 0 -> its\n"
                + " * owner word; one it holds already is reused). Claim: CAS TAIL t -> t + need (need includes the padding\n"
                + " * to the end when the record does not fit before the wrap; then store that padding WORD = (TYPE -1,\n"
                + " * LENGTH padding), release); store WORD = claimed (release). Commit: store WORD = committed (release).\n"
                + " * Abort: store (TYPE -1, +LENGTH) (release). Only the consumer's repairs are CASes (claimed -> padding,\n"
                + " * 0 -> padding). The consumer zeroes every record it consumed before its HEAD store; it pads over a\n"
                + " * claim whose CLAIMER slot's OWNER died, and over one left unwritten or with CLAIMER 0 for the claim\n"
                + " * timeout. Only the consumer frees a slot: OWNER dead -> RETIRE = 1 + TAIL; once HEAD >= RETIRE - 1,\n"
                + " * RETIRE = 0, then CAS OWNER -> 0. The object is HSHM_MPSC_BUFFER + CAPACITY bytes; the largest\n"
                + " * payload (ELEMENT) is CAPACITY / 8 - HSHM_MPSC_RECORD_HEADER. */\n");
        CHeader.define(o, "HSHM_MPSC_VERSION", Integer.toString(MpscLayout.LAYOUT_VERSION), "");
        CHeader.define(o, "HSHM_MPSC_BUFFER", Long.toString(MpscLayout.BUFFER), "the first byte of the record buffer");
        CHeader.define(o, "HSHM_MPSC_MIN_CAPACITY", Long.toString(MpscLayout.MIN_CAPACITY), "buffer bytes, a power of two");
        CHeader.define(o, "HSHM_MPSC_MAX_CAPACITY", Long.toString(MpscLayout.MAX_CAPACITY), "");
        CHeader.define(o, "HSHM_MPSC_RECORD_HEADER", Integer.toString(MpscLayout.HEADER), "WORD");
        CHeader.define(o, "HSHM_MPSC_MAX_TYPE", Integer.toString(MpscLayout.MAX_TYPE), "TYPE has 24 bits");
        CHeader.define(o, "HSHM_MPSC_SLOTS", Integer.toString(MpscLayout.SLOTS),
                "producer slots; slot 0 is never taken");
        CHeader.define(o, "HSHM_MPSC_ALIGNMENT", Long.toString(MpscLayout.ALIGNMENT), "records start 8-aligned");
        CHeader.define(o, "HSHM_MPSC_PADDING", "(" + MpscLayout.PADDING + ")", "TYPE of a padding record");
        CHeader.define(o, "HSHM_MPSC_CLAIM_TIMEOUT_MS", Long.toString(MpscRing.DEFAULT_CLAIM_TIMEOUT_MS),
                "default: an unwritten or ownerless claim stalls the consumer this long before it is padded over");
        CHeader.define(o, "HSHM_MPSC_LIVENESS_DELAY_NS", Long.toString(MpscRing.LIVENESS_DELAY_NANOS),
                "a claim stalls the consumer this long before its owner's liveness is checked...");
        CHeader.define(o, "HSHM_MPSC_LIVENESS_INTERVAL_NS", Long.toString(MpscRing.LIVENESS_INTERVAL_NANOS),
                "...then again this often");
        o.append('\n');
        Struct slot = new Struct("hshm_mpsc_producer", MpscLayout.SLOT_BYTES,
                "One producer slot of an MPSC ring.")
                .u64("owner", MpscLayout.S_OWNER, "owner word of the producer process; 0 free; CAS 0 -> owner")
                .u64("retire", MpscLayout.S_RETIRE, "0, or 1 + the TAIL the consumer read when OWNER was dead");
        slot.render(o, "HSHM_MP");
        Struct mpsc = new Struct("hshm_mpsc_ring", MpscLayout.BUFFER,
                "The fixed part of an MPSC ring (the record buffer follows at HSHM_MPSC_BUFFER).")
                .nested("header", 0, qh, 1, "type HSHM_QUEUE_TYPE_MPSC")
                .u64("tail", MpscLayout.TAIL, "bytes ever claimed, a multiple of 8; CAS by producers")
                .u64("head_cache", MpscLayout.HEAD_CACHE, "a recent HEAD shared by producers (release; relaxed load)")
                .u64("repairs", MpscLayout.REPAIRS, "stalled claims the consumer turned into padding (atomic add)")
                .u64("head", MpscLayout.HEAD, "bytes ever consumed; consumer only (release); producers acquire")
                .nested("not_empty", MpscLayout.NOT_EMPTY, ww, 1, "the consumer sleeps here")
                .nested("not_full", MpscLayout.NOT_FULL, ww, 1, "producers sleep here")
                .nested("producers", MpscLayout.PRODUCERS, slot, MpscLayout.SLOTS, "indexed by CLAIMER");
        mpsc.render(o, "HSHM_MPSC");
        Struct rec = new Struct("hshm_mpsc_record", MpscLayout.HEADER,
                "The header of one record in the MPSC buffer; the payload follows (LENGTH - 8 bytes).")
                .u64("word", MpscLayout.R_WORD, "HSHM_MPSC_WORD / HSHM_MPSC_CLAIMED_WORD; release stores; consumers acquire");
        rec.render(o, "HSHM_MR");
        o.append("/* the record WORD: committed or padding (type, length), claimed (claimer, type, -length), and its parts */\n");
        CHeader.define(o, "HSHM_MPSC_WORD(type, length)",
                "((uint64_t) (uint32_t) (int32_t) (type) << 32 | (uint64_t) (uint32_t) (int32_t) (length))", "");
        CHeader.define(o, "HSHM_MPSC_CLAIMED_WORD(claimer, type, length)",
                "((uint64_t) (uint8_t) (claimer) << 56 | (uint64_t) ((uint32_t) (type) & HSHM_MPSC_MAX_TYPE) << 32 "
                        + "| (uint64_t) (uint32_t) (int32_t) (length))", "");
        CHeader.define(o, "HSHM_MPSC_LENGTH(word)", "((int32_t) (uint32_t) (word))", "");
        CHeader.define(o, "HSHM_MPSC_TYPE(word)", "((int32_t) (uint32_t) ((word) >> 32))", "of a committed word");
        CHeader.define(o, "HSHM_MPSC_CLAIMED_TYPE(word)", "((int32_t) (((word) >> 32) & HSHM_MPSC_MAX_TYPE))",
                "of a claimed word");
        CHeader.define(o, "HSHM_MPSC_CLAIMER(word)", "((uint32_t) ((word) >> 56))", "of a claimed word");

        o.append("\n#endif /* HSHM_STRUCTURES_H */\n");
        return o.toString();
    }
}
