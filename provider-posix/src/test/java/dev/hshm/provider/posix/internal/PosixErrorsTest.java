package dev.hshm.provider.posix.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ErrnoTest {

    @Test
    void namesThatAgreeOnEveryPosixOs() {
        assertEquals("EPERM", Errno.name(1));
        assertEquals("ENOENT", Errno.name(2));
        assertEquals("ENOMEM", Errno.name(12));
        assertEquals("EACCES", Errno.name(13));
        assertEquals("EEXIST", Errno.name(17));
        assertEquals("EINVAL", Errno.name(22));
        assertEquals("ENFILE", Errno.name(23));
        assertEquals("EMFILE", Errno.name(24));
        assertEquals("ENOSPC", Errno.name(28));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void linuxNumbering() {
        assertEquals("EAGAIN", Errno.name(11));
        assertEquals("ENAMETOOLONG", Errno.name(36));
        assertEquals(36, Errno.value("ENAMETOOLONG"));
        assertEquals("EOPNOTSUPP", Errno.name(95));
    }

    @Test
    @EnabledOnOs(OS.MAC)
    void macosNumbering() {
        assertEquals("EAGAIN", Errno.name(35));
        assertEquals("ENAMETOOLONG", Errno.name(63));
        assertEquals(63, Errno.value("ENAMETOOLONG"));
    }

    @Test
    void unknownValuesAndNamesAreSaidSo() {
        assertEquals("errno9999", Errno.name(9999));
        assertEquals(-1, Errno.value("ENOTANERRNO"));
    }
}
