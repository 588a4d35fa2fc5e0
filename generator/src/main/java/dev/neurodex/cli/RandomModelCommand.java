package dev.neurodex.cli;

import dev.neurodex.model.random.RandomCheckpoint;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code neurodex random-model}: a Hugging Face directory with random weights and a real model's shapes. */
@Command(name = "random-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a Hugging Face model directory (config.json, model.safetensors, tokenizer.json) with "
                + "random weights and the shapes of a published model, to measure or test neurodex at research "
                + "scale without a download. The tokenizer is GPT-2's byte-level BPE.")
final class RandomModelCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--shape", required = true, paramLabel = "NAME",
            description = "gpt2-small, gpt2-medium, gpt2-large, gpt2-xl, pythia-70m, pythia-160m or pythia-410m.")
    String shape;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The directory to write.")
    Path out;

    @Option(names = "--layers", defaultValue = "0", paramLabel = "N",
            description = "Keep only the first N layers (default: all the shape has).")
    int layers;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        RandomCheckpoint.Shape s = RandomCheckpoint.KNOWN.get(shape);
        if (s == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--shape: unknown shape '" + shape
                    + "' (known: " + String.join(", ", RandomCheckpoint.KNOWN.keySet()) + ")");
        }
        if (layers < 0 || layers > s.layers()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--layers must be between 1 and "
                    + s.layers() + " for " + shape + ", got " + layers);
        }
        if (layers > 0) {
            s = s.withLayers(layers);
        }
        RandomCheckpoint.write(s, seed, out);
        spec.commandLine().getOut().println(String.format(Locale.ROOT, "wrote %s: %s-shaped %s, %d layers x %,d neurons, "
                + "%,d parameters", out, shape, s.family(), s.layers(), s.dMlp(), s.parameters()));
        return ExitCodes.OK;
    }
}
