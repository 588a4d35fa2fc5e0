package dev.neurodex.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --threads}, as every command that runs a model takes it: checked once, the same everywhere. */
final class EngineThreads {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    private int threads;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "Threads for the model's forward pass (default: all cores).")
    void set(int value) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (value < 0 || value > 4 * cores) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be between 0 (all cores) and "
                    + 4 * cores + " (4 x this machine's cores), got " + value);
        }
        threads = value;
    }

    int get() {
        return threads;
    }
}
