package dev.hshm.provider.posix;

import dev.hshm.testkit.ShmTestNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes "foreign" shared-memory objects, made by something other than this library, for the attach tests. */
final class ForeignShm {

    private ForeignShm() {
    }

    /** Writes a plain file into /dev/shm with Java NIO; the name should come from {@link ShmTestNames#name()}. */
    static Path write(String name, byte[] content) throws IOException {
        Path p = ShmTestNames.path(name);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
        return p;
    }
}
