package com.example.hshm.filebackend;

import dev.hshm.testkit.ProviderContract;
import java.util.Set;

/** The provider module meets hshm's contract for provider modules (from hshm-testkit, no --add-opens). */
// sample: provider-contract
class FileMmapProviderContractTest extends ProviderContract {

    FileMmapProviderContractTest() {
        super("com.example.hshm.filebackend", Set.of(), new FileMmapProvider());
    }
}
// end sample
