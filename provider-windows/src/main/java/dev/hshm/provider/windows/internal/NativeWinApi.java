package dev.hshm.provider.windows.internal;

/**
 * The real {@link WinApi}: every method is the {@link Kernel32} downcall of the same name. Off Windows every
 * method throws {@link UnsupportedOperationException} with {@link Kernel32#support()}'s reason; the providers
 * check support before they hand this out.
 */
public enum NativeWinApi implements WinApi {

    /** The one instance. */
    INSTANCE;

    @Override
    public WinResult virtualAlloc(long address, long size, int allocationType, int protect) {
        return Kernel32.virtualAlloc(address, size, allocationType, protect);
    }

    @Override
    public WinResult virtualFree(long address, long size, int freeType) {
        return Kernel32.virtualFree(address, size, freeType);
    }

    @Override
    public WinResult createFileMapping(long file, int protect, int maximumSizeHigh, int maximumSizeLow, String name) {
        return Kernel32.createFileMappingW(file, protect, maximumSizeHigh, maximumSizeLow, name);
    }

    @Override
    public WinResult openFileMapping(int desiredAccess, boolean inheritHandle, String name) {
        return Kernel32.openFileMappingW(desiredAccess, inheritHandle, name);
    }

    @Override
    public WinResult mapViewOfFile(long mapping, int desiredAccess, int offsetHigh, int offsetLow, long bytesToMap) {
        return Kernel32.mapViewOfFile(mapping, desiredAccess, offsetHigh, offsetLow, bytesToMap);
    }

    @Override
    public WinResult unmapViewOfFile(long address) {
        return Kernel32.unmapViewOfFile(address);
    }

    @Override
    public WinResult closeHandle(long handle) {
        return Kernel32.closeHandle(handle);
    }

    @Override
    public MemoryBasicInformation virtualQuery(long address) {
        return Kernel32.virtualQuery(address);
    }

    @Override
    public int getCurrentProcessId() {
        return Kernel32.getCurrentProcessId();
    }

    @Override
    public int getCurrentThreadId() {
        return Kernel32.getCurrentThreadId();
    }

    @Override
    public boolean switchToThread() {
        return Kernel32.switchToThread();
    }

    @Override
    public void sleep(int millis) {
        Kernel32.sleep(millis);
    }

    @Override
    public String formatMessage(int error) {
        return Kernel32.formatMessageW(error);
    }
}
