package dev.hshm.it;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryManager;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * A child of {@link KilledProcessTest}: attaches, takes every cross-process lock of the allocator's heap (each
 * shard's and the page heap's) and holds them until it is killed. It reaches them through the allocator's
 * internals by reflection (the class path leaves them accessible): the only way to be sure the kill lands while
 * the locks are held.
 */
public final class LockHolder {

    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        MemoryManager mm = MemoryManager.get();
        mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, args[0]);
        Allocator a = mm.getAllocator(AllocatorId.of(Integer.parseInt(args[1]), Integer.parseInt(args[2])));
        Object heap = field(a.getClass().getSuperclass(), "heap").get(a);
        Method lockAll = heap.getClass().getDeclaredMethod("lockAll");
        lockAll.setAccessible(true);
        lockAll.invoke(heap);
        System.out.println("LOCKED");
        Thread.sleep(600_000);
    }

    private static Field field(Class<?> c, String name) throws NoSuchFieldException {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
