package dev.hshm.api.internal.thread;

import dev.hshm.api.ThreadLocalKey;
import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadLocalKey;
import dev.hshm.api.spi.ThreadIds;
import java.util.concurrent.locks.LockSupport;

/**
 * The fallback thread model when no provider is present: plain JDK threads, {@link ThreadLocal} TLS,
 * {@link Thread#yield()}, {@link LockSupport#parkNanos(long)}. Works for platform and virtual threads.
 */
public final class JavaThreadModel implements ThreadModel {

    @Override
    public String name() {
        return JAVA;
    }

    @Override
    public void sleepForUs(long us) {
        if (us > 0) {
            LockSupport.parkNanos(Math.multiplyExact(us, 1000L));
        }
    }

    @Override
    public void yield() {
        Thread.yield();
    }

    @Override
    public <T> ThreadLocalKey<T> createTls(T data) {
        JvmThreadLocalKey<T> key = new JvmThreadLocalKey<>(JAVA);
        key.set(data);
        return key;
    }

    @Override
    public <T> T getTls(ThreadLocalKey<T> key) {
        return JvmThreadLocalKey.cast(key, JAVA).get();
    }

    @Override
    public <T> void setTls(ThreadLocalKey<T> key, T data) {
        JvmThreadLocalKey.cast(key, JAVA).set(data);
    }

    @Override
    public long getTid() {
        return ThreadIds.current();
    }

    @Override
    public String toString() {
        return "ThreadModel[java]";
    }
}
