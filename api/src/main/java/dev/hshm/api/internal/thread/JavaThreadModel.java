package dev.hshm.api.internal.thread;

import dev.hshm.api.ThreadModel;
import dev.hshm.api.spi.JvmThreadModel;

/**
 * The fallback thread model when no provider is present: plain JDK threads, everything as
 * {@link JvmThreadModel} does it ({@link ThreadLocal} TLS, {@link Thread#yield()}, parking sleeps). Works
 * for platform and virtual threads.
 */
public final class JavaThreadModel extends JvmThreadModel {

    /** Creates the model. */
    public JavaThreadModel() {
        super(ThreadModel.JAVA);
    }
}
