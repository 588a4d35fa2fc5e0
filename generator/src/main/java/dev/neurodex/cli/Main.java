package dev.neurodex.cli;

import dev.neurodex.build.Version;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.text.Printable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code neurodex}: the command-line entry point. */
@Command(name = "neurodex", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Publishes a Neuroscope-style static site: for every MLP neuron of a transformer, the corpus "
                + "windows that activate it most.",
        subcommands = {BuildCommand.class, ServeCommand.class, ProbeCommand.class, BenchCommand.class, RandomModelCommand.class, RandomSaeCommand.class,
                CommandLine.HelpCommand.class})
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
        return execute(new Main(), args);
    }

    /** Runs {@code command} (a picocli command object) with neurodex's one-line errors and exit codes. */
    public static int execute(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("neurodex: error: " + Printable.line(message(e)));
            return ExitCodes.FAILURE;
        });
        cli.setParameterExceptionHandler((e, commandArgs) -> {
            // One line, as for every other error; the usage is one --help away.
            CommandLine c = e.getCommandLine();
            c.getErr().println("neurodex: error: " + Printable.line(e.getMessage()) + " (see '"
                    + c.getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.USAGE;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // The limits and the up-front memory check should make this unreachable; if not, still one line.
            cli.getErr().println("neurodex: error: out of memory (" + e.getMessage() + "): run with a larger -Xmx, "
                    + "or lower --top-k, --keep-values or --batch-size");
            return ExitCodes.FAILURE;
        } catch (StackOverflowError e) {
            cli.getErr().println("neurodex: error: input nested too deeply (stack overflow)");
            return ExitCodes.FAILURE;
        }
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
