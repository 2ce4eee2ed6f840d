package dev.hshm.provider.argobots;

import dev.hshm.api.spi.NamedProvider;
import dev.hshm.testkit.ProviderContract;
import java.util.List;
import java.util.Set;

/** The argobots module meets the contract of every provider module; it exports only its api package. */
class ArgobotsProviderContractTest extends ProviderContract {

    @Override
    protected List<NamedProvider> providers() {
        return List.of(new ArgobotsThreadModelProvider());
    }

    @Override
    protected String moduleName() {
        return "dev.hshm.provider.argobots";
    }

    @Override
    protected Set<String> exportedPackages() {
        return Set.of("dev.hshm.provider.argobots");
    }
}
