/**
 * The Windows native layer: {@link dev.hshm.provider.windows.internal.WinNative}, the one class that binds
 * {@code kernel32.dll} through {@code java.lang.foreign}; {@link dev.hshm.provider.windows.internal.WinApi},
 * the small interface the backends and the thread model are written against (mocked in tests that run on
 * every OS); {@link dev.hshm.provider.windows.internal.NativeWinApi}, its real implementation; and
 * {@link dev.hshm.provider.windows.internal.WinErrors}, the error-code names and the translation of failed
 * calls into {@link dev.hshm.api.NativeException}s with advice. Not exported.
 */
package dev.hshm.provider.windows.internal;
