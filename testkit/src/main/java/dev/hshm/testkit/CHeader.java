package dev.hshm.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Writes the C view of a shared-memory layout (native/include/*.h) from the Java layout constants, for the tests
 * that generate and check those headers: one C struct per layout with its offsets as {@code #define}s, a
 * {@code _Static_assert} per field offset and per struct size, and an X-macro list of its fields
 * ({@code HSHM_FIELDS_<struct>(X)}, for C code that visits every field). {@link #checkFile} compares a checked-in
 * header with what the constants render, so Java and C cannot drift.
 */
public final class CHeader {

    private CHeader() {
    }

    /** One field of a C struct: its name, offset, C type and element count (1 for a scalar). */
    private record Field(String name, long offset, String type, int count, int elementBytes, String note) {
        long end() {
            return offset + (long) count * elementBytes;
        }

        char kind() {
            return type.equals("char") ? 'C' : type.startsWith("hshm_") ? 'S' : count > 1 ? 'A' : 'U';
        }
    }

    /** A C struct, rendered with padding for the gaps and a static assertion per field. */
    public static final class Struct {
        final String name;
        final String doc;
        final long bytes;
        final List<Field> fields = new ArrayList<>();

        /**
         * A struct of {@code bytes} bytes.
         *
         * @param name its C name
         * @param bytes its size
         * @param doc its comment
         */
        public Struct(String name, long bytes, String doc) {
            this.name = name;
            this.bytes = bytes;
            this.doc = doc;
        }

        /** @return the C name */
        public String name() {
            return name;
        }

        /** @return the size */
        public long bytes() {
            return bytes;
        }

        /** A u64 field. @param field name @param offset offset @param note comment @return this */
        public Struct u64(String field, long offset, String note) {
            return add(new Field(field, offset, "uint64_t", 1, 8, note));
        }

        /** An i64 field. @param field name @param offset offset @param note comment @return this */
        public Struct i64(String field, long offset, String note) {
            return add(new Field(field, offset, "int64_t", 1, 8, note));
        }

        /** A u32 field. @param field name @param offset offset @param note comment @return this */
        public Struct u32(String field, long offset, String note) {
            return add(new Field(field, offset, "uint32_t", 1, 4, note));
        }

        /** An i32 field. @param field name @param offset offset @param note comment @return this */
        public Struct i32(String field, long offset, String note) {
            return add(new Field(field, offset, "int32_t", 1, 4, note));
        }

        /** A NUL-padded ASCII field. @param field name @param offset offset @param n bytes @param note comment
         *  @return this */
        public Struct chars(String field, long offset, int n, String note) {
            return add(new Field(field, offset, "char", n, 1, note));
        }

        /** An array of u64. @param field name @param offset offset @param n elements @param note comment
         *  @return this */
        public Struct u64s(String field, long offset, int n, String note) {
            return add(new Field(field, offset, "uint64_t", n, 8, note));
        }

        /** A nested struct or array of them. @param field name @param offset offset @param type the struct
         *  @param n elements @param note comment @return this */
        public Struct nested(String field, long offset, Struct type, int n, String note) {
            return add(new Field(field, offset, type.name, n, (int) type.bytes, note));
        }

        private Struct add(Field f) {
            Field last = fields.isEmpty() ? null : fields.get(fields.size() - 1);
            if (last != null && f.offset < last.end()) {
                throw new AssertionError(name + "." + f.name + " at " + f.offset + " overlaps " + last.name);
            }
            if (f.end() > bytes || f.offset % Math.min(8, f.elementBytes) != 0) {
                throw new AssertionError(name + "." + f.name + " does not fit or is misaligned: offset=" + f.offset);
            }
            fields.add(f);
            return this;
        }

        /**
         * Appends the struct: its size and offsets as {@code PREFIX_BYTES} and {@code PREFIX_FIELD}, the typedef,
         * the assertions and the field list.
         *
         * @param out where
         * @param prefix the macro prefix, e.g. {@code HSHM_HH}
         */
        public void render(StringBuilder out, String prefix) {
            out.append("/* ").append(doc.replace("\n", "\n * ")).append(" */\n");
            out.append("#define ").append(prefix).append("_BYTES ").append(bytes).append('\n');
            for (Field f : fields) {
                out.append("#define ").append(prefix).append('_').append(f.name.toUpperCase()).append(' ')
                        .append(f.offset).append('\n');
            }
            out.append("typedef struct ").append(name).append(" {\n");
            long at = 0;
            for (Field f : fields) {
                if (f.offset > at) {
                    out.append("    uint8_t reserved_").append(at).append('[').append(f.offset - at)
                            .append("]; /* zero */\n");
                }
                out.append("    ").append(f.type).append(' ').append(f.name);
                if (f.count > 1 || f.type.equals("char")) {
                    out.append('[').append(f.count).append(']');
                }
                out.append(";");
                if (!f.note.isEmpty()) {
                    out.append(" /* ").append(f.note).append(" */");
                }
                out.append('\n');
                at = f.end();
            }
            if (bytes > at) {
                out.append("    uint8_t reserved_").append(at).append('[').append(bytes - at).append("]; /* zero */\n");
            }
            out.append("} ").append(name).append(";\n");
            for (Field f : fields) {
                out.append("_Static_assert(offsetof(").append(name).append(", ").append(f.name).append(") == ")
                        .append(prefix).append('_').append(f.name.toUpperCase()).append(", \"").append(name)
                        .append('.').append(f.name).append("\");\n");
            }
            out.append("_Static_assert(sizeof(").append(name).append(") == ").append(prefix).append("_BYTES, \"")
                    .append(name).append(" size\");\n");
            out.append("/* X(struct, field, kind) for each field; kind U integer, C chars, A u64 array, S struct */\n");
            out.append("#define HSHM_FIELDS_").append(name).append("(X)");
            for (Field f : fields) {
                out.append(" \\\n    X(").append(name).append(", ").append(f.name).append(", ").append(f.kind()).append(')');
            }
            out.append("\n\n");
        }
    }

    /**
     * Appends {@code #define NAME VALUE}, with the note as a C comment.
     *
     * @param o where
     * @param name the macro
     * @param value its value
     * @param note a comment, or empty
     */
    public static void define(StringBuilder o, String name, String value, String note) {
        o.append("#define ").append(name).append(' ').append(value);
        if (!note.isEmpty()) {
            o.append(" /* ").append(note).append(" */");
        }
        o.append('\n');
    }

    /**
     * Appends a {@code static const uint32_t} table of {@code n} values.
     *
     * @param o where
     * @param name the table
     * @param size the C expression of its size
     * @param n entries
     * @param f entry i
     */
    public static void table(StringBuilder o, String name, String size, int n, IntUnaryOperator f) {
        o.append("static const uint32_t ").append(name).append('[').append(size).append("] = {");
        for (int c = 0; c < n; c++) {
            o.append(c % 11 == 0 ? "\n    " : " ").append(f.applyAsInt(c)).append(c + 1 < n ? "," : "");
        }
        o.append("\n};\n");
    }

    /**
     * {@code UINT64_C(0x...)}.
     *
     * @param v the value
     * @return the C literal
     */
    public static String hex(long v) {
        return "UINT64_C(0x" + Long.toHexString(v).toUpperCase() + ")";
    }

    /**
     * The bytes of {@code v} as a little-endian machine stores them, and as ASCII where printable.
     *
     * @param v a magic word
     * @return e.g. {@code little-endian bytes: 44 4E ... "DNKBMHSH"}
     */
    public static String bytesNote(long v) {
        StringBuilder hexBytes = new StringBuilder("little-endian bytes:");
        StringBuilder ascii = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            int b = (int) (v >>> (8 * i)) & 0xFF;
            hexBytes.append(' ').append(String.format("%02X", b));
            ascii.append(b >= 32 && b < 127 ? (char) b : '.');
        }
        return hexBytes + " \"" + ascii + "\"";
    }

    /**
     * Checks that the header at {@code header} is exactly {@code rendered}, naming the first line that differs;
     * with {@code -Dhshm.layout.write=true} it writes the file first.
     *
     * @param header the checked-in file
     * @param rendered what the layout classes render
     * @param regenerate the command that regenerates it, for the message
     * @throws IOException if the file cannot be read or written
     * @throws AssertionError if they differ
     */
    public static void checkFile(Path header, String rendered, String regenerate) throws IOException {
        if (Boolean.getBoolean("hshm.layout.write")) {
            Files.createDirectories(header.getParent());
            Files.writeString(header, rendered, StandardCharsets.UTF_8);
            System.out.println("wrote " + header.toAbsolutePath().normalize());
        }
        if (!Files.isRegularFile(header)) {
            throw new AssertionError("missing " + header.toAbsolutePath().normalize() + "; generate it: " + regenerate);
        }
        String[] want = rendered.split("\n", -1);
        String[] have = Files.readString(header, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < Math.max(want.length, have.length); i++) {
            String w = i < want.length ? want[i] : "<end of file>";
            String h = i < have.length ? have[i] : "<end of file>";
            if (!w.equals(h)) {
                throw new AssertionError(header.getFileName() + " drifted from the Java layout classes at line " + (i + 1)
                        + ":\n  header: " + h + "\n  layout: " + w + "\nregenerate it with " + regenerate
                        + " (and bump the layout version if the change is incompatible: docs/layout.md)");
            }
        }
    }
}
