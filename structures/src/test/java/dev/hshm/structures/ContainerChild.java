package dev.hshm.structures;

import dev.hshm.api.Allocator;
import dev.hshm.api.AllocatorId;
import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryManager;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The other process of the container tests: attaches to a test heap by url and does one thing to a named
 * container. Arguments: {@code COMMAND URL ALLOCATOR_MAJOR NAME [ARGS...]}. Prints what it did, one line each.
 */
public final class ContainerChild {

    private ContainerChild() {
    }

    /**
     * Entry point.
     *
     * @param args the command
     * @throws Exception on failure (the exit code is then 1)
     */
    public static void main(String[] args) throws Exception {
        String cmd = args[0];
        MemoryManager mm = MemoryManager.get();
        mm.attachBackend(MemoryBackend.POSIX_SHM_MMAP, args[1]);
        Allocator a = mm.getAllocator(AllocatorId.of(Integer.parseInt(args[2]), 0));
        NamedObjects dir = NamedObjects.of(a);
        String name = args[3];
        switch (cmd) {
            case "mutex-lock-hang" -> {
                ShmMutex m = ShmMutex.attach(dir, name);
                System.out.println("locked " + m.lock());
                System.out.flush();
                sleepForever();
            }
            case "mutex-lock-unlock" -> {
                ShmMutex m = ShmMutex.attach(dir, name);
                System.out.println("waiting");
                System.out.flush();
                ShmMutex.LockResult r = m.lock();
                System.out.println("acquired " + r);
                m.unlock();
            }
            case "mutex-interrupted-lock" -> {
                ShmMutex m = ShmMutex.attach(dir, name);
                Thread t = new Thread(() -> {
                    Thread.currentThread().interrupt();
                    m.lock();
                    System.out.println("acquired interrupted=" + Thread.currentThread().isInterrupted());
                    m.unlock();
                });
                t.start();
                Thread.sleep(300);
                long cpu0 = cpuNanos();
                Thread.sleep(1000);
                System.out.println("cpu-ms " + (cpuNanos() - cpu0) / 1_000_000);
                System.out.flush();
                t.join();
            }
            case "vector-read" -> {
                long target = Long.parseLong(args[4]);
                System.out.println("reading");
                System.out.flush();
                ShmVector v = ShmVector.attach(dir, name);
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
                long checks = 0;
                long grows = v.grows();
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (System.nanoTime() < deadline) {
                    long n = v.size();
                    if (n > 0) {
                        long i = rnd.nextLong(n);
                        long got = v.getLong(i);
                        if (got != vectorValue(i)) {
                            throw new AssertionError("element " + i + " of " + n + " is " + got + ", expected "
                                    + vectorValue(i));
                        }
                        checks++;
                    }
                    if (n >= target) {
                        break;
                    }
                }
                System.out.println("checked " + checks + " grows-seen " + (v.grows() - grows) + " size " + v.size());
            }
            case "map-stress" -> mapStress(ShmHashMap.attach(dir, name), Integer.parseInt(args[4]),
                    Long.parseLong(args[5]));
            case "map-hang" -> mapHang(dir, name, args[4], args[5]);
            case "map-read" -> {
                ShmHashMap m = ShmHashMap.attach(dir, name);
                long keys = Long.parseLong(args[4]);
                System.out.println("reading");
                System.out.flush();
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
                long checks = 0;
                long deadline = System.nanoTime() + 60_000_000_000L;
                MemorySegment stop = dir.allocator().customHeader().asSlice(NamedObjects.CUSTOM_HEADER_BYTES, 8);
                while (stop.get(ValueLayout.JAVA_LONG, 0) == 0 && System.nanoTime() < deadline) {
                    long idx = rnd.nextLong(keys);
                    byte[] k = key(0, idx);
                    byte[] v = m.get(k);
                    if (v == null) {
                        throw new AssertionError("key " + idx + " of the first " + keys + " is missing");
                    }
                    checkValue(k, v);
                    checks++;
                }
                System.out.println("checked " + checks);
            }
            default -> throw new IllegalArgumentException("unknown command " + cmd);
        }
        System.out.flush();
    }

    /** CPU time of this whole JVM (all its threads), from the OS. */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
    }

    /** A stress key: 16 bytes, the owner then the index. */
    static byte[] key(long owner, long idx) {
        byte[] k = new byte[16];
        MemorySegment s = MemorySegment.ofArray(k);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, owner);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, idx);
        return k;
    }

    static long owner(MemorySegment key) {
        return key.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    /** A stress value for {@code key} at {@code version}: 17 to 100 bytes that carry the key's checksum. */
    static byte[] value(byte[] key, long version) {
        MemorySegment k = MemorySegment.ofArray(key);
        long sum = ChildMain.checksum(k.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) * 31 + version,
                k.get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
        int len = 17 + (int) Math.floorMod(sum, 84L);
        byte[] v = new byte[len];
        MemorySegment s = MemorySegment.ofArray(v);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, sum);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, version);
        for (int j = 16; j < len; j++) {
            v[j] = (byte) (sum + j);
        }
        return v;
    }

    /** Throws unless {@code v} is a whole value of {@code key} (of whatever version). */
    static void checkValue(byte[] key, byte[] v) {
        if (v.length < 17) {
            throw new AssertionError("value of " + v.length + " bytes");
        }
        long version = MemorySegment.ofArray(v).get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
        if (!java.util.Arrays.equals(v, value(key, version))) {
            throw new AssertionError("torn or foreign value for key " + java.util.HexFormat.of().formatHex(key)
                    + ": " + java.util.HexFormat.of().formatHex(v));
        }
    }

    /**
     * Two threads, each owning keys {@code (base + k, 0..KEYS)}: random put (60%), get of an own key checked
     * against the thread's model, get of any key checked for its checksum, remove (15%); prints each thread's
     * digest of what it committed: count and the sum of its values' first words.
     */
    private static void mapStress(ShmHashMap m, int base, long millis) throws Exception {
        int keys = 2_000;
        Thread[] ts = new Thread[2];
        Throwable[] failure = new Throwable[ts.length];
        for (int k = 0; k < ts.length; k++) {
            long owner = base + k;
            int slot = k;
            ts[k] = new Thread(() -> {
                long[] versions = new long[keys]; // 0 = absent, else the version stored
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(owner);
                long end = System.nanoTime() + millis * 1_000_000L;
                long ops = 0;
                try {
                    while (System.nanoTime() < end) {
                        int idx = rnd.nextInt(keys);
                        byte[] key = key(owner, idx);
                        int op = rnd.nextInt(100);
                        if (op < 60) {
                            long ver = versions[idx] + 1;
                            boolean isNew = m.put(key, value(key, ver));
                            if (isNew != (versions[idx] == 0)) {
                                throw new AssertionError("put of " + owner + "/" + idx + " said new=" + isNew);
                            }
                            versions[idx] = ver;
                        } else if (op < 75) {
                            boolean had = m.remove(key);
                            if (had != (versions[idx] != 0)) {
                                throw new AssertionError("remove of " + owner + "/" + idx + " said " + had);
                            }
                            versions[idx] = 0;
                        } else if (op < 90) {
                            byte[] v = m.get(key);
                            byte[] want = versions[idx] == 0 ? null : value(key, versions[idx]);
                            if (!java.util.Arrays.equals(v, want)) {
                                throw new AssertionError("get of own key " + owner + "/" + idx + " version "
                                        + versions[idx] + " read " + (v == null ? "nothing" : v.length + " bytes"));
                            }
                        } else {
                            byte[] other = key(rnd.nextInt(3) * 10L + rnd.nextInt(2), idx);
                            byte[] v = m.get(other);
                            if (v != null) {
                                checkValue(other, v);
                            }
                        }
                        ops++;
                    }
                    long count = 0;
                    long sum = 0;
                    for (int i = 0; i < keys; i++) {
                        if (versions[i] != 0) {
                            count++;
                            sum += MemorySegment.ofArray(value(key(owner, i), versions[i]))
                                    .get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                        }
                    }
                    System.out.println("digest " + owner + " " + count + " " + sum + " ops " + ops);
                } catch (Throwable t) {
                    failure[slot] = t;
                }
            });
            ts[k].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        for (Throwable t : failure) {
            if (t != null) {
                throw new AssertionError(t);
            }
        }
        System.out.println("done");
    }

    /**
     * Puts committed keys (owner 0, index 0..999), then keeps putting with a hook that stops this process for
     * good at {@code step} of a change, while it holds the segment lock: prints {@code hanging STEP KEY}.
     */
    private static void mapHang(NamedObjects dir, String name, String kind, String step) {
        boolean longs = kind.equals("longs");
        ShmHashMap hm = longs ? null : ShmHashMap.attach(dir, name);
        ShmLongLongMap lm = longs ? ShmLongLongMap.attach(dir, name) : null;
        long[] current = {-1};
        for (long i = 0; i < 1000; i++) {
            if (longs) {
                lm.put(i, i * 7);
            } else {
                byte[] k = key(0, i);
                hm.put(k, value(k, 1));
            }
        }
        System.out.println("committed 1000");
        System.out.flush();
        MapSegments.stepHook = at -> {
            if (at.equals(step)) {
                System.out.println("hanging " + step + " " + current[0]);
                System.out.flush();
                sleepForever();
            }
        };
        for (long i = 1000; i < 10_000_000; i++) {
            current[0] = i;
            if (longs) {
                lm.put(i, i * 7);
            } else {
                byte[] k = key(0, i);
                hm.put(k, value(k, 1));
            }
        }
        System.out.println("never hung at " + step);
    }

    /** What the vector tests store at index {@code i}. */
    static long vectorValue(long i) {
        return i * 0x9E37_79B9_7F4A_7C15L + 1;
    }

    static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
