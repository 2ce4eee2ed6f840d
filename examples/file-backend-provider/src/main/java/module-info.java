/**
 * An example third-party provider for hshm-java: the {@code file_mmap} backend kind. Pure Java (a mapped
 * {@link java.nio.channels.FileChannel}), so it needs no native access of its own.
 */
module com.example.hshm.filebackend {
    requires dev.hshm.api;
    provides dev.hshm.api.spi.MemoryBackendProvider with com.example.hshm.filebackend.FileMmapProvider;
}
