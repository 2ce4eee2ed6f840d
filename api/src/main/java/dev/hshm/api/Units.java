package dev.hshm.api;

/** Byte-size helpers, the seed's {@code hshm::Unit<size_t>}. All methods throw on overflow. */
public final class Units {

    private Units() {
    }

    /**
     * Kibibytes to bytes.
     *
     * @param n a count
     * @return {@code n * 1024}
     */
    public static long kilobytes(long n) {
        return Math.multiplyExact(n, 1L << 10);
    }

    /**
     * Mebibytes to bytes.
     *
     * @param n a count
     * @return {@code n * 1024^2}
     */
    public static long megabytes(long n) {
        return Math.multiplyExact(n, 1L << 20);
    }

    /**
     * Gibibytes to bytes.
     *
     * @param n a count
     * @return {@code n * 1024^3}
     */
    public static long gigabytes(long n) {
        return Math.multiplyExact(n, 1L << 30);
    }

    /**
     * Formats a byte count for people: {@code 1.5 MiB}.
     *
     * @param bytes a byte count
     * @return the count with a binary unit
     */
    public static String format(long bytes) {
        if (bytes < 1024 && bytes > -1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.format("%.0f", v) : String.format("%.1f", v)) + " " + units[u];
    }
}
