package dev.hshm.provider.windows;

import java.util.concurrent.atomic.AtomicInteger;

/** Shared-memory names unique to this JVM and test. */
final class TestNames {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private TestNames() {
    }

    /**
     * A fresh valid name.
     *
     * @return e.g. {@code hshmwin-4242-7}
     */
    static String unique() {
        return "hshmwin-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    }
}
