package dev.hshm.allocators.internal.heap;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The checked-in C header ({@code native/include/hshm_layout.h}) is exactly what the layout classes render, so a
 * change of a Java layout that is not carried into the header fails here, naming the first line that differs.
 * {@code -Dhshm.layout.write=true} rewrites the header instead.
 */
class CLayoutTest {

    private static final Path HEADER = Path.of("..", "native", "include", "hshm_layout.h");

    @Test
    void theCheckedInHeaderIsWhatTheLayoutClassesRender() throws IOException {
        String rendered = CLayout.render();
        if (Boolean.getBoolean("hshm.layout.write")) {
            Files.createDirectories(HEADER.getParent());
            Files.writeString(HEADER, rendered, StandardCharsets.UTF_8);
            System.out.println("wrote " + HEADER.toAbsolutePath().normalize());
        }
        assertTrue(Files.isRegularFile(HEADER), "missing " + HEADER.toAbsolutePath().normalize());
        String[] want = rendered.split("\n", -1);
        String[] have = Files.readString(HEADER, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < Math.max(want.length, have.length); i++) {
            String w = i < want.length ? want[i] : "<end of file>";
            String h = i < have.length ? have[i] : "<end of file>";
            if (!w.equals(h)) {
                fail("native/include/hshm_layout.h drifted from the Java layout classes at line " + (i + 1)
                        + ":\n  header: " + h + "\n  layout: " + w + "\nregenerate it with ./mvnw -pl allocators test"
                        + " -Dtest=CLayoutTest -Dhshm.layout.write=true (and bump the layout version if the change is"
                        + " incompatible: docs/layout.md)");
            }
        }
    }

    @Test
    void everyStructHasAnOffsetAssertionPerField() {
        String h = CLayout.render();
        long fields = h.lines().filter(l -> l.startsWith("_Static_assert(offsetof(")).count();
        long structs = h.lines().filter(l -> l.startsWith("typedef struct ")).count();
        // 9 structs: directory entry, backend header, heap header, lock, page heap, class entry, shard,
        // page descriptor, free block
        assertTrue(structs == 9 && fields >= 60, "structs=" + structs + ", offset assertions=" + fields);
    }
}
