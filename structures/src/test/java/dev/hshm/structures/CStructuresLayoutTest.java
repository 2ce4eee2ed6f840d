package dev.hshm.structures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.testkit.CHeader;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The checked-in C header of the structures' layouts ({@code native/include/hshm_structures.h}) is exactly what
 * {@link CStructuresLayout} renders from the layout classes, so a change of a Java layout that is not carried into the
 * header fails here, naming the first line that differs. {@code -Dhshm.layout.write=true} rewrites the header instead.
 */
class CStructuresLayoutTest {

    @Test
    void theCheckedInHeaderIsWhatTheLayoutClassesRender() throws IOException {
        CHeader.checkFile(Path.of("..", "native", "include", "hshm_structures.h"), CStructuresLayout.render(),
                "./mvnw -pl structures test -Dtest=CStructuresLayoutTest -Dhshm.layout.write=true");
    }

    @Test
    void everyStructHasAnOffsetAssertionPerField() {
        String h = CStructuresLayout.render();
        long fields = h.lines().filter(l -> l.startsWith("_Static_assert(offsetof(")).count();
        long structs = h.lines().filter(l -> l.startsWith("typedef struct ")).count();
        // 10 structs: shared lock, directory entry, directory, wait word, queue header, container header, spsc ring,
        // mpsc producer slot, mpsc ring, mpsc record; fields: 2 + 6 + 6 + 2 + 9 + 5 + 5 + 2 + 8 + 1
        assertEquals(10, structs, "structs");
        assertEquals(46, fields, "offset assertions");
        assertTrue(h.contains("#include <stddef.h>\n#include <stdint.h>\n") && h.lines()
                .filter(l -> l.startsWith("#include")).count() == 2, "libc headers only");
    }
}
