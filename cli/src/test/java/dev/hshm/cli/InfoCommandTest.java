package dev.hshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class InfoCommandTest {

    @Test
    void infoListsEveryBuiltInProviderWithItsModuleClassAndState() {
        Hshm.Result r = Hshm.run("info");
        assertEquals(0, r.rc(), r.all());
        String out = r.out();
        for (String row : new String[] {
            "array +0 +supported +dev\\.hshm\\.allocators +dev\\.hshm\\.allocators\\.internal\\.backend\\.ArrayBackendProvider",
            "malloc +0 +supported +dev\\.hshm\\.allocators +dev\\.hshm\\.allocators\\.internal\\.backend\\.MallocBackendProvider",
            "scalable_page +0 +supported +dev\\.hshm\\.allocators +dev\\.hshm\\.allocators\\.internal\\.allocator\\.AllocatorProviders\\$ScalablePage",
            "thread_local +0 +supported +dev\\.hshm\\.allocators +dev\\.hshm\\.allocators\\.internal\\.allocator\\.AllocatorProviders\\$ThreadLocal",
            "posix_shm_mmap +\\d+ +supported +dev\\.hshm\\.provider\\.posix +dev\\.hshm\\.provider\\.posix\\.\\w+",
            "pthreads +\\d+ +supported +dev\\.hshm\\.provider\\.posix"}) {
            assertTrue(Pattern.compile("(?m)^  " + row).matcher(out).find(), "no row /" + row + "/ in:\n" + out);
        }
        assertTrue(out.contains("\nthread model chosen: pthreads (the supported one with the highest priority"), out);
        assertTrue(out.contains("providers that failed to load: none"), out);
        assertTrue(out.contains("launched on:    the module path"), out);
        assertTrue(Pattern.compile("(?m)native access: +enabled for dev\\.hshm\\.allocators, dev\\.hshm\\.provider\\.argobots, "
                + "dev\\.hshm\\.provider\\.cuda, dev\\.hshm\\.provider\\.posix, dev\\.hshm\\.provider\\.rocm, "
                + "dev\\.hshm\\.provider\\.windows$").matcher(out).find(), out);
        assertTrue(out.contains("os:             " + System.getProperty("os.name")), out);
    }

    @Test
    void eachProvidersReasonStandsUnderItsStateColumn() {
        String out = Hshm.run("info").out();
        String[] lines = out.split("\n");
        int tables = 0;
        for (int i = 0; i < lines.length - 1; i++) {
            if (lines[i].startsWith("  NAME ")) {
                tables++;
                int col = lines[i].indexOf("STATE");
                for (int r = i + 1; r + 1 < lines.length && !lines[r].isBlank(); r += 2) {
                    String state = lines[r].substring(col).split(" +")[0];
                    assertTrue(state.equals("supported") || state.equals("UNSUPPORTED"), "state column:\n" + out);
                    String reason = lines[r + 1];
                    assertEquals(col, reason.length() - reason.stripLeading().length(),
                            "reason indented under STATE:\n" + out);
                    assertEquals(state.equals("UNSUPPORTED"), reason.stripLeading().startsWith("why: "), out);
                }
            }
        }
        assertEquals(3, tables, out);
    }
}
