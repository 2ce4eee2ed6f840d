/**
 * Data structures in shared memory, built on the api's public types only, so each works over any allocator
 * ({@code thread_local}, {@code scalable_page}, a third party's) and any shared backend: a directory of named
 * objects per allocator ({@link dev.hshm.structures.NamedObjects}), a wait word that sleeps through the thread
 * model ({@link dev.hshm.structures.WaitWord}), and queues between processes: SPSC of fixed-size elements
 * ({@link dev.hshm.structures.SpscRing}), MPSC of variable-length records ({@link dev.hshm.structures.MpscRing}),
 * MPMC bounded ({@link dev.hshm.structures.MpmcQueue}) and lossy broadcast
 * ({@link dev.hshm.structures.Broadcast}). Layouts and what a death leaves: docs/structures.md.
 */
module dev.hshm.structures {
    requires transitive dev.hshm.api;

    exports dev.hshm.structures;
}
