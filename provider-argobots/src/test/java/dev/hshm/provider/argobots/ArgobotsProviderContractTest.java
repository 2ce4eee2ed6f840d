package dev.hshm.provider.argobots;

import dev.hshm.testkit.ProviderContract;
import java.util.Set;

/** The argobots module meets the contract of every provider module; it exports only its api package. */
class ArgobotsProviderContractTest extends ProviderContract {

    ArgobotsProviderContractTest() {
        super("dev.hshm.provider.argobots", Set.of("dev.hshm.provider.argobots"), new ArgobotsThreadModelProvider());
    }
}
