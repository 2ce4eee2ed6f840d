package dev.hshm.provider.posix.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class PosixErrorsTest {

    @Test
    void namesThatAgreeOnEveryPosixOs() {
        assertEquals("EPERM", PosixErrors.name(1));
        assertEquals("ENOENT", PosixErrors.name(2));
        assertEquals("ENOMEM", PosixErrors.name(12));
        assertEquals("EACCES", PosixErrors.name(13));
        assertEquals("EEXIST", PosixErrors.name(17));
        assertEquals("EINVAL", PosixErrors.name(22));
        assertEquals("ENFILE", PosixErrors.name(23));
        assertEquals("EMFILE", PosixErrors.name(24));
        assertEquals("ENOSPC", PosixErrors.name(28));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void linuxNumbering() {
        assertEquals("EAGAIN", PosixErrors.name(11));
        assertEquals("ENAMETOOLONG", PosixErrors.name(36));
        assertEquals(36, PosixErrors.value("ENAMETOOLONG"));
        assertEquals("EOPNOTSUPP", PosixErrors.name(95));
    }

    @Test
    @EnabledOnOs(OS.MAC)
    void macosNumbering() {
        assertEquals("EAGAIN", PosixErrors.name(35));
        assertEquals("ENAMETOOLONG", PosixErrors.name(63));
        assertEquals(63, PosixErrors.value("ENAMETOOLONG"));
    }

    @Test
    void unknownValuesAndNamesAreSaidSo() {
        assertEquals("errno9999", PosixErrors.name(9999));
        assertEquals(-1, PosixErrors.value("ENOTANERRNO"));
    }
}
