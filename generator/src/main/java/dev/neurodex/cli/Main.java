package dev.neurodex.cli;

import dev.neurodex.build.Version;
import dev.neurodex.model.OfflineEngine;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code neurodex}: the command-line entry point. */
@Command(name = "neurodex", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Publishes a Neuroscope-style static site: for every MLP neuron of a transformer, the corpus "
                + "windows that activate it most.",
        subcommands = {BuildCommand.class, BenchCommand.class, RandomModelCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    static {
        OfflineEngine.configure(); // before any DJL class loads
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required, e.g. 'neurodex build'");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("neurodex: error: " + message(e));
            return ExitCodes.FAILURE;
        });
        return cli.execute(args);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return e.getCause() != null && e.getCause().getMessage() != null && !m.contains(e.getCause().getMessage())
                ? m + " (" + e.getCause().getMessage() + ")" : m;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"neurodex " + Version.get()};
        }
    }
}
