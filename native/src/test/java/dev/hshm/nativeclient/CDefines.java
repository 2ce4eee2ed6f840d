package dev.hshm.nativeclient;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The integer {@code #define}s of the generated headers (include/hshm_layout.h, include/hshm_structures.h), so the
 * JVM side of these tests finds a field where the C code finds it, with no offset typed twice.
 */
final class CDefines {

    private static final String[] HEADERS = {"hshm_layout.h", "hshm_structures.h"};
    private static Map<String, Long> defines;

    private CDefines() {
    }

    /** The value of {@code #define NAME <integer>} in one of the generated headers. */
    static synchronized long of(String name) {
        if (defines == null) {
            Map<String, Long> m = new HashMap<>();
            Pattern p = Pattern.compile("^#define (HSHM_[A-Z0-9_]+) \\(?(-?[0-9]+)\\)?(\\s.*)?$");
            for (String header : HEADERS) {
                try {
                    for (String line : Files.readAllLines(NativeBuild.DIR.resolve("include").resolve(header))) {
                        Matcher x = p.matcher(line);
                        if (x.matches()) {
                            m.put(x.group(1), Long.parseLong(x.group(2)));
                        }
                    }
                } catch (IOException e) {
                    throw new AssertionError("cannot read include/" + header, e);
                }
            }
            defines = m;
        }
        Long v = defines.get(name);
        if (v == null) {
            throw new AssertionError("the generated headers define no integer " + name);
        }
        return v;
    }
}
