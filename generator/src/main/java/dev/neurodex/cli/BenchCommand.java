package dev.neurodex.cli;

import dev.neurodex.bench.BenchConfig;
import dev.neurodex.bench.Benchmark;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code neurodex bench}: how close the scan runs to the machine's limit and to ONNX Runtime. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure matmul throughput, the forward pass, the whole scan, ONNX Runtime, rendering and "
                + "peak memory; prints a table and the same figures as JSON.")
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", defaultValue = ModelCatalog.DEFAULT, paramLabel = "NAME|DIR",
            description = "Model to measure (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--corpus", paramLabel = "PATH", description = "Corpus for the scan (default: the shipped one).")
    Path corpus;

    @Option(names = "--context", defaultValue = "0", paramLabel = "C", description = "Context (default: the model's).")
    int context;

    @Option(names = "--batch-size", defaultValue = "0", paramLabel = "N", description = "Windows per batch (default: as the build).")
    int batchSize;

    @CommandLine.Mixin
    EngineThreads threads;

    @Option(names = "--reps", defaultValue = "3", paramLabel = "N", description = "Repetitions per figure; medians are reported (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--scan-tokens", defaultValue = "100000", paramLabel = "N",
            description = "Tokens each scan repetition reads; the memory runs read 1x and 4x as many (default: ${DEFAULT-VALUE}).")
    long scanTokens;

    @Option(names = "--hook", defaultValue = "mlp.hook_post", paramLabel = "POINT",
            description = "Where the model's units are read, as in build (default: ${DEFAULT-VALUE}).")
    String hook;

    @Option(names = "--sae", paramLabel = "DIR", description = "An SAELens directory scanned along, as in build; repeatable.")
    List<Path> saes;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures to FILE.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (reps < 1 || scanTokens < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--reps and --scan-tokens must be positive");
        }
        Path corpusPath = corpus == null ? DefaultCorpus.locate() : corpus;
        dev.neurodex.model.HookPoint point = dev.neurodex.model.HookPoint.named(hook);
        if (point == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hook must be one of "
                    + dev.neurodex.model.HookPoint.names() + ", got '" + hook + "'");
        }
        BenchConfig config = new BenchConfig(model, List.of(corpusPath), context, batchSize, threads.get(), reps, scanTokens,
                point, saes == null ? List.of() : saes);
        Map<String, Object> figures = new Benchmark(config, spec.commandLine().getErr()).run();
        var out = spec.commandLine().getOut();
        figures.forEach((key, value) -> out.println(String.format(Locale.ROOT, "%-22s %s", key,
                value instanceof Double d ? String.format(Locale.ROOT, d >= 100 ? "%,.0f" : "%.3f", d) : value)));
        String text = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(figures);
        out.println(text);
        if (json != null) {
            Files.writeString(json, text);
        }
        return ExitCodes.OK;
    }
}
