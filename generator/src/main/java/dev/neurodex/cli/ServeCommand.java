package dev.neurodex.cli;

import ai.djl.ndarray.NDManager;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.serve.SiteServer;
import dev.neurodex.serve.ServedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code neurodex serve}: the site over HTTP, with "test your text" on every neuron page. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve a built site over HTTP; neuron pages then run any text you type through the model.")
final class ServeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--site", defaultValue = "site", paramLabel = "DIR", description = "The site (default: ${DEFAULT-VALUE}).")
    Path site;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "Port (default: ${DEFAULT-VALUE}; 0: any free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--model", paramLabel = "NAME|DIR",
            description = "Where the weights of the site's models are, as build takes them (repeatable); each serves "
                    + "the site's model whose manifest names the same weights (sha256). The default model is always known.")
    List<String> models;

    @Option(names = "--sae", paramLabel = "DIR",
            description = "Where the SAEs of the site's SAE sections are (repeatable); each serves the sections whose "
                    + "manifest entry names the same weights (sha256).")
    List<java.nio.file.Path> saes;

    @CommandLine.Mixin
    EngineThreads threads;

    @Option(names = "--concurrent", defaultValue = "1", paramLabel = "N",
            description = "Texts run through a model at once; others wait (default: ${DEFAULT-VALUE}).")
    int concurrent;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(site)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--site " + site + " is not a folder");
        }
        if (port < 0 || port > 65535 || concurrent < 1 || concurrent > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 0 to 65535 and --concurrent 1 to 64");
        }
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
            spec.commandLine().getErr().println("neurodex: warning: listening on " + host + ": anyone who can reach this "
                    + "machine can read the site and run texts through its models");
        }
        try (NDManager manager = OfflineEngine.newManager(threads.get());
             ServedModels served = new ServedModels(site, models == null ? List.of() : models,
                     saes == null ? List.of() : saes, manager, threads.get(), concurrent);
             SiteServer server = SiteServer.start(site, host, port, served)) {
            spec.commandLine().getOut().println("serving " + site.toAbsolutePath().normalize() + " at http://"
                    + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port() + "/ (Ctrl-C stops)");
            spec.commandLine().getOut().flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return ExitCodes.OK;
    }
}
