package dev.hshm.provider.argobots;

import dev.hshm.api.ThreadModel;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Runs each test method in a ULT ({@link ArgobotsThreadModel#spawn}) instead of on JUnit's platform thread,
 * and rethrows what it threw. {@code @BeforeEach}/{@code @AfterEach} stay on JUnit's thread.
 */
final class InUlt implements InvocationInterceptor {

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                    ExtensionContext context) throws Throwable {
        ArgobotsThreadModel abt = (ArgobotsThreadModel) ThreadModel.current();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> virtual = new AtomicReference<>();
        Thread ult = abt.spawn(() -> {
            virtual.set(Thread.currentThread().isVirtual());
            try {
                invocation.proceed();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        if (!ult.join(Duration.ofMinutes(5))) {
            throw new AssertionError(call.getExecutable().getName() + " did not finish in its ULT within 5 minutes");
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        if (!Boolean.TRUE.equals(virtual.get())) {
            throw new AssertionError("the test did not run in a virtual thread");
        }
    }
}
