package dev.neurodex.spark;

import ai.djl.ndarray.NDManager;
import dev.neurodex.model.HookPoint;
import dev.neurodex.model.LoadedModel;
import dev.neurodex.model.ModelCatalog;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.scan.TappedModel;
import dev.neurodex.tokenize.WindowTokenizer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;

/**
 * The models of a job in an executor JVM, loaded once and lent to its tasks: a task uses one model at a time and a
 * model runs one batch at a time, so an executor holds at most as many as it runs tasks at once. Reading
 * GPT-2-medium's weights anew for the counting pass, for every part and again for the pages would cost more than
 * many parts' scans. Lent by task, not kept per thread: Spark's task threads come and go.
 */
final class ExecutorModels {
    private ExecutorModels() {}

    /** A model ready to scan, with its tokenizer; used by one task at a time. */
    record Loaded(PartJob job, NDManager manager, LoadedModel loaded, TappedModel tapped, WindowTokenizer tokenizer) {}

    private static final Deque<Loaded> IDLE = new ArrayDeque<>();

    /** Runs {@code work} with a model of {@code job}: an idle one, or one loaded now and kept for the next task. */
    static <T> T with(PartJob job, Function<Loaded, T> work) {
        Loaded model = idle(job);
        if (model == null) {
            model = load(job);
        }
        try {
            return work.apply(model);
        } finally {
            synchronized (IDLE) {
                IDLE.push(model);
            }
        }
    }

    /** An idle model of this job, if any; idle models of another job (an earlier build) are closed. */
    private static Loaded idle(PartJob job) {
        synchronized (IDLE) {
            IDLE.removeIf(m -> {
                if (!m.job().equals(job)) {
                    close(m);
                    return true;
                }
                return false;
            });
            return IDLE.poll();
        }
    }

    /** Closes every idle model: a build in local mode is over, and its driver JVM runs on. */
    static void closeIdle() {
        synchronized (IDLE) {
            IDLE.forEach(ExecutorModels::close);
            IDLE.clear();
        }
    }

    private static Loaded load(PartJob job) {
        OfflineEngine.configure();
        NDManager manager = OfflineEngine.newManager(job.threads());
        LoadedModel loaded = ModelCatalog.open(ModelFiles.local(job.model(), new Configuration()), job.name(),
                job.hookRegex(), job.threads(), manager);
        WindowTokenizer tokenizer = WindowTokenizer.load(loaded.tokenizerJson(), loaded.tokenizerName(),
                job.maxDocumentChars());
        TappedModel tapped = TappedModel.open(loaded.model(), HookPoint.named(job.hook()),
                job.saes().stream().map(Path::of).toList(), manager.newSubManager());
        return new Loaded(job, manager, loaded, tapped, tokenizer);
    }

    private static void close(Loaded l) {
        l.tokenizer().close();
        l.loaded().close();
        l.manager().close();
    }
}
