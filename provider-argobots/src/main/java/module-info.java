/**
 * The Argobots provider of hshm-java: the {@code argobots} thread model, whose user-level threads are JVM
 * virtual threads (libabt is not used; there is no JVM binding).
 *
 * <p>Exports {@code dev.hshm.provider.argobots} for {@code ArgobotsThreadModel.spawn} and
 * {@code executionStreams}; the registry instantiates the provider through {@code provides}. Makes no native
 * calls, so it needs no {@code --enable-native-access} of its own.
 */
module dev.hshm.provider.argobots {
    requires transitive dev.hshm.api;

    exports dev.hshm.provider.argobots;

    provides dev.hshm.api.spi.ThreadModelProvider with
            dev.hshm.provider.argobots.ArgobotsThreadModelProvider;
}
