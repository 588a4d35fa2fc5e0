package dev.neurodex.spark;

import ai.djl.ndarray.NDManager;
import dev.neurodex.model.HookPoint;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.scan.TappedModel;
import dev.neurodex.tokenize.WindowTokenizer;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;

/**
 * The model of a job, loaded once per executor thread and kept for the job's next tasks on it: a task thread runs
 * one part at a time and a model runs one batch at a time, so threads do not share one. Reading GPT-2-medium's
 * weights anew for the counting pass and again for every part would cost more than many parts' scans.
 */
final class ExecutorModels {
    private ExecutorModels() {}

    /** A model ready to scan, with its tokenizer; owned by the thread that asked for it. */
    record Loaded(PartJob job, NDManager manager, LoadedModel loaded, TappedModel tapped, WindowTokenizer tokenizer) {}

    private static final ThreadLocal<Loaded> CURRENT = new ThreadLocal<>();

    static Loaded get(PartJob job) {
        Loaded current = CURRENT.get();
        if (current != null && current.job().equals(job)) {
            return current;
        }
        if (current != null) {
            close(current);
        }
        OfflineEngine.configure();
        NDManager manager = OfflineEngine.newManager(job.threads());
        LoadedModel loaded = ModelCatalog.open(ModelFiles.local(job.model(), new Configuration()), job.name(),
                job.hookRegex(), job.threads(), manager);
        WindowTokenizer tokenizer = WindowTokenizer.load(loaded.tokenizerJson(), loaded.tokenizerName(),
                job.maxDocumentChars());
        TappedModel tapped = TappedModel.open(loaded.model(), HookPoint.named(job.hook()),
                job.saes().stream().map(Path::of).toList(), manager.newSubManager());
        Loaded fresh = new Loaded(job, manager, loaded, tapped, tokenizer);
        CURRENT.set(fresh);
        return fresh;
    }

    private static void close(Loaded l) {
        l.tokenizer().close();
        l.loaded().close();
        l.manager().close();
        CURRENT.remove();
    }
}
