package dev.hshm.nativeclient;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.spi.AllocatorProvider;
import dev.hshm.api.spi.BackendHeader;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.provider.posix.PosixShmMmap;

/**
 * A child JVM of MixedProcessTest: attaches to NAME, allocator (MAJOR, MINOR) of TYPE, prints "ready", churns in
 * the table at data offset TABLE for SECONDS ({@link Churn}), prints "ops=N".
 */
public final class JavaChurnMain {

    private JavaChurnMain() {
    }

    /**
     * Entry point.
     *
     * @param args NAME TYPE MAJOR MINOR SECONDS SEED TABLE
     */
    public static void main(String[] args) {
        PosixShmMmap b = PosixShmMmap.attach(args[0]);
        AllocatorId id = AllocatorId.of(Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        BackendHeader.DirectoryEntry e = BackendHeader.directory(b.header(), b.dataSize()).stream()
                .filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        AllocatorProvider p = ProviderRegistry.global().find(AllocatorProvider.class, args[1]);
        Allocator a = p.attach(b, id, e.regionOffset(), e.regionSize());
        System.out.println("ready");
        long ops = Churn.run(a, a.memory(), Long.parseLong(args[6]), Long.parseLong(args[5]),
                System.nanoTime() + (long) (Double.parseDouble(args[4]) * 1e9));
        System.out.println("ops=" + ops);
        p.release(a);
    }
}
