package dev.hshm.provider.windows.internal;

/**
 * The real {@link WinApi}: every method is the {@link WinNative} downcall of the same name. Off Windows every
 * method throws {@link UnsupportedOperationException} with {@link WinNative#support()}'s reason; the providers
 * check support before they hand this out.
 */
public enum NativeWinApi implements WinApi {

    /** The one instance. */
    INSTANCE;

    @Override
    public WinResult virtualAlloc(long address, long size, int allocationType, int protect) {
        return WinNative.virtualAlloc(address, size, allocationType, protect);
    }

    @Override
    public WinResult virtualFree(long address, long size, int freeType) {
        return WinNative.virtualFree(address, size, freeType);
    }

    @Override
    public WinResult createFileMapping(long file, int protect, int maximumSizeHigh, int maximumSizeLow, String name) {
        return WinNative.createFileMappingW(file, protect, maximumSizeHigh, maximumSizeLow, name);
    }

    @Override
    public WinResult openFileMapping(int desiredAccess, boolean inheritHandle, String name) {
        return WinNative.openFileMappingW(desiredAccess, inheritHandle, name);
    }

    @Override
    public WinResult mapViewOfFile(long mapping, int desiredAccess, int offsetHigh, int offsetLow, long bytesToMap) {
        return WinNative.mapViewOfFile(mapping, desiredAccess, offsetHigh, offsetLow, bytesToMap);
    }

    @Override
    public WinResult unmapViewOfFile(long address) {
        return WinNative.unmapViewOfFile(address);
    }

    @Override
    public WinResult closeHandle(long handle) {
        return WinNative.closeHandle(handle);
    }

    @Override
    public MemoryBasicInformation virtualQuery(long address) {
        return WinNative.virtualQuery(address);
    }

    @Override
    public int getCurrentProcessId() {
        return WinNative.getCurrentProcessId();
    }

    @Override
    public int getCurrentThreadId() {
        return WinNative.getCurrentThreadId();
    }

    @Override
    public boolean switchToThread() {
        return WinNative.switchToThread();
    }

    @Override
    public void sleep(int millis) {
        WinNative.sleep(millis);
    }

    @Override
    public WinResult createSemaphore(int initialCount, int maximumCount, String name) {
        return WinNative.createSemaphoreW(initialCount, maximumCount, name);
    }

    @Override
    public WinResult releaseSemaphore(long handle, int count) {
        return WinNative.releaseSemaphore(handle, count);
    }

    @Override
    public WinResult waitForSingleObject(long handle, int millis) {
        return WinNative.waitForSingleObject(handle, millis);
    }

    @Override
    public String formatMessage(int error) {
        return WinNative.formatMessageW(error);
    }
}
