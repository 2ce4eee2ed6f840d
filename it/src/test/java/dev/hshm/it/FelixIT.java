package dev.hshm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Every bundle we build, in a real Apache Felix: all resolve and start; providers appear and disappear with
 * their bundles; a backend made through the posix bundle is detached (not destroyed) when the bundle stops,
 * and its data is there again after the bundle restarts. The api's classes live in the api bundle's class
 * space, so the test reaches them by reflection (see {@link Api}).
 */
class FelixIT {

    @TempDir
    Path storage;
    private Framework fw;
    private final Map<String, Bundle> bundles = new LinkedHashMap<>();
    private String url;

    @BeforeEach
    void startFelix() throws Exception {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("org.osgi.framework.storage", storage.toString());
        cfg.put("org.osgi.framework.storage.clean", "onFirstInit");
        cfg.put("felix.service.urlhandlers", "false");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow();
        fw = factory.newFramework(cfg);
        fw.init();
        fw.start();
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : Jars.everything()) {
            installed.add(fw.getBundleContext().installBundle(jar.toUri().toString()));
        }
        List<String> failures = new ArrayList<>();
        for (Bundle b : installed) {
            try {
                b.start();
            } catch (BundleException e) {
                failures.add(b.getSymbolicName() + ": " + e.getMessage());
            }
            bundles.put(b.getSymbolicName(), b);
        }
        if (!failures.isEmpty()) {
            fail("bundles did not resolve or start:\n  " + String.join("\n  ", failures));
        }
    }

    @AfterEach
    void stopFelix() throws Exception {
        if (url != null) {
            try {
                Api api = new Api(bundles.get("dev.hshm.api"));
                api.unlinkIfPresent(url);
            } catch (RuntimeException | ReflectiveOperationException ignored) {
                Segments.remove(url);
            }
        }
        if (fw != null) {
            fw.stop();
            fw.waitForStop(10_000);
        }
    }

    @Test
    void everyBundleOfTheReactorResolvesAndIsActive() {
        for (String name : List.of("dev.hshm.api", "dev.hshm.allocators", "dev.hshm.structures", "dev.hshm.testkit",
                "dev.hshm.provider.posix", "dev.hshm.provider.windows",
                "dev.hshm.provider.cuda", "dev.hshm.provider.rocm", "dev.hshm.provider.argobots", "dev.hshm.cli",
                "com.example.hshm.filebackend")) {
            Bundle b = bundles.get(name);
            assertNotNull(b, name + " installed");
            assertEquals(Bundle.ACTIVE, b.getState(), name + " is ACTIVE");
        }
    }

    @Test
    void aStoppedProviderBundleTakesItsProvidersAndLeavesTheDataForItsRestart() throws Exception {
        Api api = new Api(bundles.get("dev.hshm.api"));
        Bundle posix = bundles.get("dev.hshm.provider.posix");
        assertEquals("posix_shm_mmap", api.providerName("MemoryBackendProvider", "posix_shm_mmap"));
        assertEquals("pthreads", api.threadModelName(), "the posix bundle's thread model is chosen");

        url = Segments.unique("felix");
        Object bid = api.backendId(9);
        Object aid = api.allocatorId(9, 0);
        api.manager("createBackend", "posix_shm_mmap", bid, 16L << 20, url);
        Object alloc = api.manager("createAllocator", "thread_local", bid, aid, 64L);
        long off = (long) Api.call(alloc, "allocateOffset", api.defaultContext(), 100L);
        MemorySegment mem = (MemorySegment) Api.call(alloc, "memory");
        mem.set(ValueLayout.JAVA_LONG, off, 0x0DDBA11L);
        ((MemorySegment) Api.call(alloc, "customHeader")).set(ValueLayout.JAVA_LONG, 0, off);

        posix.stop();
        assertEquals(List.of(), api.manager("backends"), "the backend was detached with its provider");
        Throwable gone = api.expectFailure(() -> api.providerName("MemoryBackendProvider", "posix_shm_mmap"));
        assertEquals("ProviderNotFoundException", gone.getClass().getSimpleName());
        // the Windows bundle's provider of the same kind is still there, and says why it cannot serve
        assertTrue(gone.getMessage().contains("memory backend kind 'posix_shm_mmap' is not supported here: "
                + "dev.hshm.provider.windows.WindowsShmMmapProvider: not Windows")
                && gone.getMessage().matches("(?s).*Available: \\[(?=[^]]*file_mmap)(?=[^]]*array)(?=[^]]*malloc)[^]]*].*"),
                gone.getMessage());
        assertEquals("pthreads", api.threadModelName(), "the thread model was chosen once and stays");

        posix.start();
        api.manager("attachBackend", "posix_shm_mmap", url);
        Object again = api.manager("getAllocator", aid);
        long stored = ((MemorySegment) Api.call(again, "customHeader")).get(ValueLayout.JAVA_LONG, 0);
        assertEquals(off, stored);
        assertEquals(0x0DDBA11L, ((MemorySegment) Api.call(again, "memory")).get(ValueLayout.JAVA_LONG, stored));
        Api.call(again, "freeOffset", api.defaultContext(), stored);
        api.manager("destroyBackend", bid);
        url = null;
    }

    @Test
    void theThirdPartyExampleIsFoundAsABundleAndGoesWithIt() throws Exception {
        Api api = new Api(bundles.get("dev.hshm.api"));
        assertEquals("file_mmap", api.providerName("MemoryBackendProvider", "file_mmap"));
        bundles.get("com.example.hshm.filebackend").stop();
        Throwable gone = api.expectFailure(() -> api.providerName("MemoryBackendProvider", "file_mmap"));
        assertEquals("ProviderNotFoundException", gone.getClass().getSimpleName());
        bundles.get("com.example.hshm.filebackend").start();
        assertEquals("file_mmap", api.providerName("MemoryBackendProvider", "file_mmap"));
    }

    @Test
    void theApiAloneHasNoProvidersAndTheBuiltInsBundleBringsItsOwn() throws Exception {
        for (Bundle b : bundles.values()) {
            if (!b.getSymbolicName().equals("dev.hshm.api")) {
                b.stop();
            }
        }
        Api api = new Api(bundles.get("dev.hshm.api"));
        assertEquals(List.of(), api.providerNames("MemoryBackendProvider"), "the api ships no backend");
        assertEquals(List.of(), api.providerNames("AllocatorProvider"), "and no allocator");
        assertFalse(api.apiClass("MemoryManager").getClassLoader() == getClass().getClassLoader(),
                "the bundle has its own class space");

        Bundle builtIns = bundles.get("dev.hshm.allocators");
        builtIns.start();
        assertEquals(List.of("array", "malloc"), api.providerNames("MemoryBackendProvider").stream().sorted().toList());
        assertEquals(List.of("malloc", "scalable_page", "thread_local"),
                api.providerNames("AllocatorProvider").stream().sorted().toList());
        Object root = api.manager("defaultAllocator");
        assertEquals("malloc", Api.call(root, "type"), "the root allocator is made through the registry");
        long p = (long) Api.call(root, "allocateOffset", api.defaultContext(), 64L);
        Api.call(root, "freeOffset", api.defaultContext(), p);

        builtIns.stop();
        assertEquals(List.of(), api.providerNames("AllocatorProvider"), "gone with the bundle");
        Throwable none = api.expectFailure(() -> api.manager("defaultAllocator"));
        assertEquals("ProviderNotFoundException", none.getClass().getSimpleName(), none.toString());
    }

    /** Reflection into the api bundle's class space. */
    static final class Api {
        private final Bundle bundle;

        Api(Bundle bundle) {
            this.bundle = bundle;
        }

        Class<?> apiClass(String simple) throws ClassNotFoundException {
            return bundle.loadClass("dev.hshm.api." + simple);
        }

        Class<?> spiClass(String simple) throws ClassNotFoundException {
            return bundle.loadClass("dev.hshm.api.spi." + simple);
        }

        Object registry() throws Exception {
            return spiClass("ProviderRegistry").getMethod("global").invoke(null);
        }

        String providerName(String spi, String name) throws Exception {
            return (String) call(call(registry(), "find", spiClass(spi), name), "name");
        }

        List<String> providerNames(String spi) throws Exception {
            List<?> all = (List<?>) call(registry(), "supported", spiClass(spi));
            List<String> names = new ArrayList<>();
            for (Object p : all) {
                names.add((String) call(p, "name"));
            }
            return names;
        }

        String threadModelName() throws Exception {
            return (String) call(apiClass("ThreadModel").getMethod("current").invoke(null), "name");
        }

        Object backendId(int v) throws Exception {
            return apiClass("MemoryBackendId").getMethod("get", int.class).invoke(null, v);
        }

        Object allocatorId(int major, int minor) throws Exception {
            return apiClass("AllocatorId").getMethod("of", int.class, int.class).invoke(null, major, minor);
        }

        Object defaultContext() throws Exception {
            return apiClass("MemContext").getField("DEFAULT").get(null);
        }

        Object manager(String method, Object... args) throws Exception {
            return call(apiClass("MemoryManager").getMethod("get").invoke(null), method, args);
        }

        void unlinkIfPresent(String name) throws Exception {
            Object p = call(registry(), "find", spiClass("MemoryBackendProvider"), "posix_shm_mmap");
            try {
                call(p, "unlink", name);
            } catch (RuntimeException ignored) {
                // gone already
            }
        }

        interface Action {
            void run() throws Exception;
        }

        Throwable expectFailure(Action a) {
            try {
                a.run();
            } catch (Throwable t) {
                return t;
            }
            throw new AssertionError("expected a failure");
        }

        /** Calls the public method {@code name} with {@code args.length} parameters, unwrapping its exception. */
        static Object call(Object target, String name, Object... args) throws Exception {
            for (Method m : target.getClass().getMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == args.length && fits(m, args)) {
                    m.setAccessible(true);
                    try {
                        return m.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        if (e.getCause() instanceof Exception ex) {
                            throw ex;
                        }
                        throw e;
                    }
                }
            }
            throw new NoSuchMethodException(target.getClass().getName() + "." + name + "/" + args.length);
        }

        private static boolean fits(Method m, Object[] args) {
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < args.length; i++) {
                Class<?> t = types[i].isPrimitive() ? box(types[i]) : types[i];
                if (args[i] != null && !t.isInstance(args[i])) {
                    return false;
                }
            }
            return true;
        }

        private static Class<?> box(Class<?> p) {
            return p == long.class ? Long.class : p == int.class ? Integer.class : p == boolean.class ? Boolean.class : p;
        }
    }
}
