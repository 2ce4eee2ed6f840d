package dev.hshm.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain text in aligned columns, for people: each column as wide as its widest cell, two spaces between
 * columns, columns marked numeric right-aligned. A row may carry note lines that start under one column
 * (a provider's reason under its state, say).
 */
final class TextTable {

    private final String[] header;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();
    private final List<List<String>> notes = new ArrayList<>();
    private int noteColumn;

    /**
     * A table with these column titles; a title that starts with {@code >} is right-aligned (the {@code >} is
     * not printed).
     */
    TextTable(String... titles) {
        header = new String[titles.length];
        right = new boolean[titles.length];
        for (int i = 0; i < titles.length; i++) {
            right[i] = titles[i].startsWith(">");
            header[i] = right[i] ? titles[i].substring(1) : titles[i];
        }
    }

    /** Adds a row; missing cells are empty, {@code null} prints as {@code -}. */
    TextTable row(Object... cells) {
        if (cells.length > header.length) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + header.length);
        }
        String[] r = new String[header.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = i < cells.length ? (cells[i] == null ? "-" : cells[i].toString()) : "";
        }
        rows.add(r);
        notes.add(new ArrayList<>());
        return this;
    }

    /** Adds a line under the last row, starting at the note column. */
    TextTable note(String line) {
        if (rows.isEmpty()) {
            throw new IllegalStateException("no row to attach a note to");
        }
        notes.getLast().add(line);
        return this;
    }

    /** The column under which notes start (default 0). */
    TextTable noteColumn(int column) {
        noteColumn = column;
        return this;
    }

    /** Prints the header and rows, each line starting with {@code indent}. */
    void print(PrintWriter out, String indent) {
        print(out, indent, true);
    }

    /** Prints the rows without the header (a list of {@code key: value} lines, say). */
    void printRows(PrintWriter out, String indent) {
        print(out, indent, false);
    }

    private void print(PrintWriter out, String indent, boolean withHeader) {
        int[] w = new int[header.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = withHeader ? header[i].length() : 0;
            for (String[] r : rows) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        int noteIndent = 0;
        for (int i = 0; i < noteColumn; i++) {
            noteIndent += w[i] + 2;
        }
        if (withHeader) {
            line(out, indent, header, w);
        }
        for (int k = 0; k < rows.size(); k++) {
            line(out, indent, rows.get(k), w);
            for (String n : notes.get(k)) {
                out.println(indent + " ".repeat(noteIndent) + n);
            }
        }
    }

    private void line(PrintWriter out, String indent, String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder(indent);
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i];
            boolean last = i == cells.length - 1;
            if (right[i]) {
                sb.append(" ".repeat(w[i] - c.length())).append(c);
            } else {
                sb.append(c);
                if (!last) {
                    sb.append(" ".repeat(w[i] - c.length()));
                }
            }
            if (!last) {
                sb.append("  ");
            }
        }
        out.println(sb.toString().stripTrailing());
    }
}
