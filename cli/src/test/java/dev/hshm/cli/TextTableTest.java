package dev.hshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TextTableTest {

    private static String print(TextTable t, boolean header) {
        StringWriter w = new StringWriter();
        PrintWriter out = new PrintWriter(w);
        if (header) {
            t.print(out, "> ");
        } else {
            t.printRows(out, "> ");
        }
        out.flush();
        return w.toString();
    }

    @Test
    void columnsAreAsWideAsTheirWidestCellAndNumbersAlignRight() {
        TextTable t = new TextTable("NAME", ">SIZE", "NOTE").noteColumn(1);
        t.row("a", 5, "x").note("under SIZE");
        t.row("longer", 12345, null);
        assertEquals("""
                > NAME     SIZE  NOTE
                > a           5  x
                >         under SIZE
                > longer  12345  -
                """, print(t, true));
    }

    @Test
    void withoutTheHeaderOnlyTheCellsSetTheWidths() {
        TextTable t = new TextTable("A-LONG-TITLE", "B").row("k:", "v").row("key:", "value");
        assertEquals("> k:    v\n> key:  value\n", print(t, false));
    }

    @Test
    void misuseIsRejected() {
        TextTable t = new TextTable("A");
        assertThrows(IllegalStateException.class, () -> t.note("no row yet"));
        assertThrows(IllegalArgumentException.class, () -> t.row("1", "2"));
    }
}
