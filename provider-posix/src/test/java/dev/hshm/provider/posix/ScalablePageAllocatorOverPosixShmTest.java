package dev.hshm.provider.posix;

import dev.hshm.api.Allocator;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The allocator contract for {@code Allocator.SCALABLE_PAGE} in POSIX shared memory. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class ScalablePageAllocatorOverPosixShmTest extends PosixShmAllocatorContract {

    @Override
    String type() {
        return Allocator.SCALABLE_PAGE;
    }
}
