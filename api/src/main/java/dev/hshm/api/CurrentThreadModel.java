package dev.hshm.api;

import dev.hshm.api.internal.thread.JavaThreadModel;
import dev.hshm.api.spi.ProviderRegistry;
import dev.hshm.api.spi.ThreadModelProvider;
import java.util.List;

/** Holds the process's thread model: chosen once, on first use, and never changed. */
final class CurrentThreadModel {

    /** The system property that forces a thread model by name. */
    static final String PROPERTY = "hshm.thread.model";

    /** The chosen model, or {@code null} if the forced one could not be found. */
    static final ThreadModel INSTANCE;
    private static final RuntimeException FAILURE;

    static {
        ThreadModel m = null;
        RuntimeException f = null;
        try {
            m = select();
        } catch (RuntimeException e) {
            f = e;
        }
        INSTANCE = m;
        FAILURE = f;
    }

    private CurrentThreadModel() {
    }

    /**
     * Why no model could be chosen; thrown by every {@link ThreadModel#current()} call.
     *
     * @return a fresh exception carrying the original one
     */
    static HshmException failure() {
        return new StateException("no thread model: -D" + PROPERTY + "=" + System.getProperty(PROPERTY)
                + " could not be used: " + FAILURE.getMessage(), FAILURE);
    }

    private static ThreadModel select() {
        String forced = System.getProperty(PROPERTY);
        ProviderRegistry reg = ProviderRegistry.global();
        if (forced != null && !forced.isBlank()) {
            if (forced.equals(ThreadModel.JAVA)) {
                return new JavaThreadModel();
            }
            // Throws ProviderNotFoundException listing the models that exist, with reasons.
            return reg.find(ThreadModelProvider.class, forced.trim()).create();
        }
        List<ThreadModelProvider> supported = reg.supported(ThreadModelProvider.class);
        for (ThreadModelProvider p : supported) {
            try {
                return p.create();
            } catch (RuntimeException | LinkageError e) {
                System.getLogger(CurrentThreadModel.class.getName()).log(System.Logger.Level.WARNING,
                        "thread model '" + p.name() + "' failed to start; trying the next one", e);
            }
        }
        return new JavaThreadModel();
    }
}
