package com.example.hshm.filebackend;

import dev.hshm.api.MemoryBackend;
import dev.hshm.api.MemoryBackendId;
import dev.hshm.api.spi.BackendOptions;
import dev.hshm.testkit.MemoryBackendContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example backend passes hshm's backend contract (from hshm-testkit). docs/writing-a-provider.md shows this
 * class as it is (the it module's DocSamplesTest checks that the two agree); what is particular to files is in
 * {@link FileMmapBackendTest}.
 */
// sample: provider-backend-contract
class FileMmapBackendContractTest extends MemoryBackendContract {

    @TempDir
    Path dir;
    private final AtomicInteger seq = new AtomicInteger();
    private final FileMmapProvider provider = new FileMmapProvider();

    @Override
    protected MemoryBackend create(MemoryBackendId id, long size) {
        return provider.create(id, size, dir.resolve("heap-" + seq.incrementAndGet()).toString(), BackendOptions.DEFAULT);
    }

    @Override
    protected MemoryBackend createAt(MemoryBackendId id, long size, String url) { // named kinds
        return provider.create(id, size, url, BackendOptions.DEFAULT);
    }

    @Override
    protected MemoryBackend attach(MemoryBackend created) { // shared kinds
        return provider.attach(created.url().orElseThrow());
    }

    @Override
    protected String expectedKind() {
        return FileMmapProvider.KIND;
    }
}
// end sample
