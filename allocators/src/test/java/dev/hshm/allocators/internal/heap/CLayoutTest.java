package dev.hshm.allocators.internal.heap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.testkit.CHeader;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The checked-in C header ({@code native/include/hshm_layout.h}) is exactly what the layout classes render, so a
 * change of a Java layout that is not carried into the header fails here, naming the first line that differs.
 * {@code -Dhshm.layout.write=true} rewrites the header instead.
 */
class CLayoutTest {

    @Test
    void theCheckedInHeaderIsWhatTheLayoutClassesRender() throws IOException {
        CHeader.checkFile(Path.of("..", "native", "include", "hshm_layout.h"), CLayout.render(),
                "./mvnw -pl allocators test -Dtest=CLayoutTest -Dhshm.layout.write=true");
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
