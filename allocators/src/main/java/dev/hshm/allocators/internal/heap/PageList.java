package dev.hshm.allocators.internal.heap;

import static dev.hshm.allocators.internal.heap.PageDescriptor.LINKS;
import static dev.hshm.allocators.internal.heap.PageDescriptor.NO_PAGE;

/**
 * The heap's one list routine: a doubly linked list of pages threaded through the LINKS words of their
 * descriptors, with a head word holding the first page or {@link PageDescriptor#NO_PAGE}. The page heap keeps its
 * free runs on such lists (by length), and each shard keeps, per size class, its spans that have room.
 *
 * <p>Lists are derived state: a process that dies half-way through an insert or a remove leaves a list that the
 * repair of the lock's next owner rebuilds from the descriptors ({@code HeapWalk}). Every page index read from a
 * list is checked against the frontier before it is followed.
 */
final class PageList {

    private PageList() {
    }

    /** Pushes {@code page} at the front of the list whose head word is at {@code headAt}. */
    static void insert(Descriptors d, long headAt, long page, long frontier) {
        long first = d.w.get(headAt);
        if (first != NO_PAGE) {
            d.checkPage(first, frontier, headAt);
            d.setPrev(first, page);
        }
        d.set(page, LINKS, PageDescriptor.pack(NO_PAGE, first));
        d.w.put(headAt, page);
    }

    /** Unlinks {@code page} from the list whose head word is at {@code headAt}, and clears its links. */
    static void remove(Descriptors d, long headAt, long page, long frontier) {
        long l = d.get(page, LINKS);
        long prev = PageDescriptor.low(l);
        long next = PageDescriptor.high(l);
        if (prev == NO_PAGE) {
            if (d.w.get(headAt) == page) {
                d.w.put(headAt, next);
            }
        } else {
            d.setNext(d.checkPage(prev, frontier, headAt), next);
        }
        if (next != NO_PAGE) {
            d.setPrev(d.checkPage(next, frontier, headAt), prev);
        }
        d.set(page, LINKS, PageDescriptor.pack(NO_PAGE, NO_PAGE));
    }

    /** The first page of a list, checked; NO_PAGE if it is empty. */
    static long first(Descriptors d, long headAt, long frontier) {
        long first = d.w.get(headAt);
        return first == NO_PAGE ? NO_PAGE : d.checkPage(first, frontier, headAt);
    }

    /** The page after {@code page} on the list whose head is at {@code headAt}, checked; NO_PAGE at the end. */
    static long next(Descriptors d, long headAt, long page, long frontier) {
        long next = PageDescriptor.high(d.get(page, LINKS));
        return next == NO_PAGE ? NO_PAGE : d.checkPage(next, frontier, headAt);
    }

    /** The number of pages on a list (walked; a cycle is a {@code CorruptSegmentException}). */
    static long length(Descriptors d, long headAt, long frontier) {
        long n = 0;
        for (long p = first(d, headAt, frontier); p != NO_PAGE; p = next(d, headAt, p, frontier)) {
            if (++n > frontier) {
                throw new dev.hshm.api.CorruptSegmentException("heap of allocator " + d.id + ": cycle in "
                        + d.listName(headAt));
            }
        }
        return n;
    }
}
