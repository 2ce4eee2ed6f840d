package dev.hshm.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hshm.api.InvalidNameException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ShmNamesTest {

    @Test
    void aLeadingSlashIsAcceptedAndDropped() {
        assertEquals("my_heap-1.v2", ShmNames.validate("/my_heap-1.v2"));
        assertEquals("x", ShmNames.validate("x"));
    }

    @ParameterizedTest
    @CsvSource({
        "'', empty",
        "'/', empty",
        "'a/b', must not contain '/'",
        "'a..b', '..'",
        "'.hidden', must not start",
        "'-opt', must not start",
        "'sp ace', outside",
        "'0123456789012345678901234567890', too long"})
    void badNamesAreRejectedSayingWhichRule(String name, String words) {
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> ShmNames.validate(name));
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void nullIsRejected() {
        assertThrows(InvalidNameException.class, () -> ShmNames.validate(null));
    }
}
