package dev.hshm.api.spi;

import dev.hshm.api.InvalidNameException;

/**
 * Validates shared-memory urls. A url is a portable name: 1 to {@value #MAX_LENGTH} characters from
 * {@code [A-Za-z0-9._-]}, not starting with {@code .} or {@code -}, no {@code /} and no {@code ..}.
 * A single leading {@code /} (the POSIX spelling) is accepted and removed. The limit of 30 fits macOS's
 * {@code PSHMNAMLEN} (31 with the slash) and Windows' object names.
 */
public final class ShmNames {

    /** The longest accepted name, without the leading slash. */
    public static final int MAX_LENGTH = 30;

    private ShmNames() {
    }

    /**
     * Checks a url and returns its canonical form (without a leading {@code /}).
     *
     * @param url the url as the user wrote it
     * @return the canonical name
     * @throws InvalidNameException naming the rule it broke
     */
    public static String validate(String url) {
        if (url == null) {
            throw new InvalidNameException("shared-memory url is null");
        }
        String name = url.startsWith("/") ? url.substring(1) : url;
        if (name.isEmpty()) {
            throw new InvalidNameException("shared-memory url is empty: url='" + url + "'");
        }
        if (name.length() > MAX_LENGTH) {
            throw new InvalidNameException("shared-memory url is too long: url='" + url + "', length=" + name.length()
                    + ", max=" + MAX_LENGTH);
        }
        if (name.contains("/")) {
            throw new InvalidNameException("shared-memory url must not contain '/' (it is one name, not a path): url='"
                    + url + "'");
        }
        if (name.contains("..")) {
            throw new InvalidNameException("shared-memory url must not contain '..': url='" + url + "'");
        }
        if (name.charAt(0) == '.' || name.charAt(0) == '-') {
            throw new InvalidNameException("shared-memory url must not start with '.' or '-': url='" + url + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw new InvalidNameException("shared-memory url has a character outside [A-Za-z0-9._-]: url='" + url
                        + "', index=" + i + ", char=" + (Character.isISOControl(c) ? String.format("\\u%04x", (int) c)
                        : "'" + c + "'"));
            }
        }
        return name;
    }
}
