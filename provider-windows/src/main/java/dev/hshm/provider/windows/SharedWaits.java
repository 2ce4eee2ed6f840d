package dev.hshm.provider.windows;

import dev.hshm.provider.windows.internal.WinApi;
import dev.hshm.provider.windows.internal.WinErrors;
import dev.hshm.provider.windows.internal.WinResult;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Windows' cross-process sleep on a word of shared memory: one named semaphore per word, named after the mapping
 * and the word's offset in it, so every process that maps the object computes the same name
 * ({@code Local\NAME.wait.<hex offset>}). {@code WaitOnAddress}, the futex of Windows, wakes only threads of the
 * calling process; a named kernel object is the cross-process mechanism.
 *
 * <p>A wake releases permits (as many as asked, {@value #WAKE_ALL_PERMITS} for "all"); a waiter takes one. A permit
 * released before its waiter reached {@code WaitForSingleObject} stays, so the waiter returns at once instead of
 * missing the wake: the check-then-sleep race of a condition variable cannot lose a wake here. A permit nobody
 * takes becomes a spurious return of a later wait, which callers tolerate by contract (they re-check the word);
 * the count is capped at {@value #MAX_PERMITS}, so they are few.
 *
 * <p>The views of {@link WindowsShmMmap} register themselves here; a word in no registered view (memory of another
 * backend, process-local) has no name other processes could compute, and its waiters poll
 * ({@link dev.hshm.api.spi.WordWaits#poll}). The semaphores of a view are closed when it is unmapped.
 */
final class SharedWaits {

    /** The largest count of a word's semaphore; a release past it fails with {@code ERROR_TOO_MANY_POSTS}. */
    static final int MAX_PERMITS = 1024;
    /** Permits a wake of every waiter releases: more waiters than this on one word wake at their next slice. */
    static final int WAKE_ALL_PERMITS = 64;
    /** {@code ERROR_TOO_MANY_POSTS}: the semaphore is at its maximum count already. */
    static final int ERROR_TOO_MANY_POSTS = 298;

    private record View(long base, long end, String objectName, Map<Long, Long> semaphores) {
    }

    private static final ConcurrentSkipListMap<Long, View> VIEWS = new ConcurrentSkipListMap<>();

    private SharedWaits() {
    }

    /**
     * Records a mapped view, so that words inside it can be waited on across processes.
     *
     * @param base the view's address
     * @param bytes its length
     * @param objectName the mapping's kernel object name ({@code Local\NAME})
     */
    static void register(long base, long bytes, String objectName) {
        VIEWS.put(base, new View(base, base + bytes, objectName, new ConcurrentHashMap<>()));
    }

    /**
     * Forgets a view and closes the semaphores this process opened for its words (a waiter still inside one gets
     * {@code WAIT_FAILED}, a spurious return).
     *
     * @param api the Win32 calls
     * @param base the view's address
     */
    static void unregister(WinApi api, long base) {
        View v = VIEWS.remove(base);
        if (v != null) {
            for (long h : v.semaphores().values()) {
                api.closeHandle(h);
            }
        }
    }

    /**
     * The semaphore of the 4-byte word at {@code address}, opened (or created) on first use.
     *
     * @param api the Win32 calls
     * @param address the word's address
     * @return its handle, or 0 if the word is in no registered view or the semaphore could not be made (its
     *     waiters then poll)
     */
    static long semaphore(WinApi api, long address) {
        Map.Entry<Long, View> e = VIEWS.floorEntry(address);
        if (e == null || address > e.getValue().end() - 4) {
            return 0;
        }
        View v = e.getValue();
        long offset = address - v.base();
        Long h = v.semaphores().get(offset);
        if (h != null) {
            return h;
        }
        String name = name(v.objectName(), offset);
        WinResult r = api.createSemaphore(0, MAX_PERMITS, name);
        if (r.failed()) {
            System.getLogger(SharedWaits.class.getName()).log(System.Logger.Level.WARNING, "CreateSemaphoreW(\""
                    + name + "\") failed: " + WinErrors.name(r.error()) + "; waiters on this word poll");
            return 0;
        }
        Long prev = v.semaphores().putIfAbsent(offset, r.value());
        if (prev != null) {
            api.closeHandle(r.value()); // another thread of this process opened it first
            return prev;
        }
        return r.value();
    }

    /**
     * The semaphore name of the word at {@code offset} of the mapping {@code objectName}.
     *
     * @param objectName {@code Local\NAME}
     * @param offset the word's offset in the view
     * @return {@code Local\NAME.wait.<hex offset>}
     */
    static String name(String objectName, long offset) {
        return objectName + ".wait." + Long.toHexString(offset);
    }
}
