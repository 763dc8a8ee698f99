package dev.pullab.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version from the jar's manifest ({@code dev} when run from classes). */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = PullabCommand.class.getPackage().getImplementationVersion();
        return new String[] {"pullab " + (version == null ? "dev" : version)};
    }
}
