package dev.hshm.allocators.internal.heap;

import static dev.hshm.allocators.internal.heap.PageDescriptor.LINKS;

import dev.hshm.api.AllocatorId;
import dev.hshm.api.CorruptSegmentException;

/**
 * Reads and writes the page descriptor table ({@link PageDescriptor}) and maps pages to offsets. Page indices
 * read from shared memory (list links, heads named by AUX) pass {@link #checkPage} before they are used.
 */
final class Descriptors {

    final Words w;
    final AllocatorId id;
    final long table;
    final long heapOffset;
    final long pageCount;
    private final HeapHeader.Geometry geo;

    Descriptors(Words w, AllocatorId id, HeapHeader.Geometry geo) {
        this.w = w;
        this.id = id;
        this.geo = geo;
        this.table = geo.descTable();
        this.heapOffset = geo.heapOffset();
        this.pageCount = geo.pageCount();
    }

    private long at(long page, long field) {
        if (page < 0 || page >= pageCount) {
            throw new CorruptSegmentException("heap of allocator " + id + ": page descriptor index out of range: page="
                    + page + ", field=" + fieldName(field) + ", pages=" + pageCount);
        }
        return table + (page << PageDescriptor.SHIFT) + field;
    }

    private static String fieldName(long field) {
        return field == PageDescriptor.INFO ? "INFO" : field == LINKS ? "LINKS" : field == PageDescriptor.AUX ? "AUX"
                : field == PageDescriptor.COUNTS ? "COUNTS" : "+" + field;
    }

    /** A field ({@link PageDescriptor#INFO}, {@code LINKS}, {@code AUX}, {@code COUNTS}) of page {@code page}. */
    long get(long page, long field) {
        return w.get(at(page, field));
    }

    void set(long page, long field, long v) {
        w.put(at(page, field), v);
    }

    void setPrev(long page, long prev) {
        set(page, LINKS, PageDescriptor.pack(prev, PageDescriptor.high(get(page, LINKS))));
    }

    void setNext(long page, long next) {
        set(page, LINKS, PageDescriptor.pack(PageDescriptor.low(get(page, LINKS)), next));
    }

    long pageOffset(long page) {
        return heapOffset + (page << SizeClasses.PAGE_SHIFT);
    }

    /**
     * Checks a page index read from a list (its head word at {@code headAt}, or a link) before it is used: it must
     * be below the frontier.
     *
     * @param page the index
     * @param frontier the page heap's frontier (pages at and above it were never handed out)
     * @param headAt the head word of the list it was read from, which names the list in the message
     * @return {@code page}
     * @throws CorruptSegmentException naming the list and the value
     */
    long checkPage(long page, long frontier, long headAt) {
        if (page < 0 || page >= frontier) {
            throw new CorruptSegmentException("heap of allocator " + id + ": page index out of range in "
                    + listName(headAt) + ": page=" + page + ", frontier=" + frontier + ", pages=" + pageCount);
        }
        return page;
    }

    /** The name of the list whose head word is at {@code headAt}, for messages (computed only when one fails). */
    String listName(long headAt) {
        long runLists = geo.pageHeap() + PageHeapLayout.RUN_LISTS;
        if (headAt >= runLists && headAt < runLists + 8L * PageHeapLayout.LISTS) {
            return "run list " + (headAt - runLists) / 8;
        }
        long rel = headAt - geo.shardTable() - ShardLayout.CLASSES;
        if (rel >= 0 && headAt < geo.shard(geo.shardCount())) {
            long s = (headAt - geo.shardTable()) / ShardLayout.BYTES;
            long c = (headAt - geo.shard((int) s) - ShardLayout.CLASSES) / ShardLayout.CLASS_BYTES;
            return "span list of class " + SizeClasses.size((int) c) + " in shard " + s;
        }
        return "the list at data offset " + headAt;
    }
}
