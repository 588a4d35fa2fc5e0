package dev.neurodex.cli;

import dev.neurodex.model.HookPoint;
import dev.neurodex.sae.RandomSae;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code neurodex random-sae}: an SAELens directory with random weights, for measuring latents at real widths. */
@Command(name = "random-sae", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write an SAELens directory (cfg.json, sae_weights.safetensors) with random weights, to measure "
                + "or test SAE sections without a download.")
final class RandomSaeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--hook", required = true, paramLabel = "NAME", description = "e.g. blocks.3.hook_resid_post")
    String hook;

    @Option(names = "--d-in", required = true, paramLabel = "N", description = "The hook's width (d_model, or d_mlp).")
    int dIn;

    @Option(names = "--d-sae", defaultValue = "16384", paramLabel = "N", description = "Latents (default: ${DEFAULT-VALUE}).")
    int dSae;

    @Option(names = "--architecture", defaultValue = "topk", paramLabel = "NAME",
            description = "standard, jumprelu or topk (default: ${DEFAULT-VALUE}).")
    String architecture;

    @Option(names = "--k", defaultValue = "32", paramLabel = "K", description = "Latents per token of a topk SAE (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The directory to write.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (HookPoint.At.parse(hook) == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hook must be blocks.<L>.<one of "
                    + HookPoint.names() + ">, got '" + hook + "'");
        }
        if (!java.util.Set.of("standard", "jumprelu", "topk").contains(architecture)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--architecture must be standard, jumprelu or "
                    + "topk, got '" + architecture + "'");
        }
        if (dIn < 1 || dSae < 1 || (long) dIn * dSae > Integer.MAX_VALUE / 2 || k < 1 || k > dSae) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--d-in, --d-sae and --k must be positive, "
                    + "d_in x d_sae below 2^30 and k at most d_sae");
        }
        RandomSae.write(out, hook, dIn, dSae, architecture, k, seed);
        spec.commandLine().getOut().println(String.format(Locale.ROOT, "wrote %s: %s SAE on %s, %d -> %,d latents",
                out, architecture, hook, dIn, dSae));
        return ExitCodes.OK;
    }
}
