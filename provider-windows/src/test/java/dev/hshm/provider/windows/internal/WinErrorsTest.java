package dev.hshm.provider.windows.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.hshm.api.NativeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Error names, advice and the exceptions built from them. */
class WinErrorsTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "0, ERROR_SUCCESS",
        "2, ERROR_FILE_NOT_FOUND",
        "5, ERROR_ACCESS_DENIED",
        "6, ERROR_INVALID_HANDLE",
        "8, ERROR_NOT_ENOUGH_MEMORY",
        "87, ERROR_INVALID_PARAMETER",
        "183, ERROR_ALREADY_EXISTS",
        "487, ERROR_INVALID_ADDRESS",
        "1006, ERROR_FILE_INVALID",
        "1455, ERROR_COMMITMENT_LIMIT",
    })
    void commonCodesHaveTheirWinerrorNames(int code, String name) {
        assertEquals(name, WinErrors.name(code));
    }

    @Test
    void unknownCodesAreNamedByNumberUnsigned() {
        assertEquals("WIN32_ERROR_99999", WinErrors.name(99999));
        assertEquals("WIN32_ERROR_4294967295", WinErrors.name(-1));
    }

    @Test
    void aFailureCarriesFunctionCodeNameCallSystemTextAndAdvice() {
        WinApi api = mock(WinApi.class);
        when(api.formatMessage(1455)).thenReturn("The paging file is too small for this operation to complete.\r\n");

        NativeException e = WinErrors.fail(api, "CreateFileMappingW", 1455, "CreateFileMappingW(...)", "Local\\x",
                3L << 30);

        assertEquals("CreateFileMappingW", e.function());
        assertEquals(1455, e.errorCode());
        assertEquals("ERROR_COMMITMENT_LIMIT", e.errorName());
        assertEquals("CreateFileMappingW failed: ERROR_COMMITMENT_LIMIT (1455): CreateFileMappingW(...): The paging"
                + " file is too small for this operation to complete. - " + WinErrors.advice("CreateFileMappingW", 1455,
                "Local\\x", 3L << 30), e.getMessage());
        assertTrue(e.getMessage().contains("size=3 GiB"), e.getMessage());
    }

    @Test
    void aFormatMessageThatFailsDoesNotHideTheError() {
        WinApi api = mock(WinApi.class);
        when(api.formatMessage(8)).thenThrow(new IllegalStateException("boom"));

        NativeException e = WinErrors.fail(api, "VirtualAlloc", 8, "VirtualAlloc(NULL, 10, ...)", null, 10);

        assertEquals("ERROR_NOT_ENOUGH_MEMORY", e.errorName());
        assertTrue(e.getMessage().contains("(no system message)"), e.getMessage());
        assertTrue(e.getMessage().contains("ask for less"), e.getMessage());
    }

    @Test
    void adviceDependsOnTheFunction() {
        assertTrue(WinErrors.advice("OpenFileMappingW", 2, "Local\\a", 0).contains("must still have it attached"));
        assertEquals("", WinErrors.advice("VirtualFree", 2, null, 0));
        assertTrue(WinErrors.advice("CreateFileMappingW", 6, "Local\\a", 0).contains("another kind of kernel object"));
        assertTrue(WinErrors.advice("CloseHandle", 6, null, 0).contains("closed twice"));
        assertTrue(WinErrors.advice("MapViewOfFile", 8, "Local\\a", 1 << 30).contains("address space"));
        assertTrue(WinErrors.advice("CreateFileMappingW", 183, "Local\\a", 0).contains("no unlink"));
        assertEquals("", WinErrors.advice("VirtualAlloc", 99999, null, 0));
    }
}
