package dev.neurodex.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkException;

/**
 * The error a failed task met, as a local build reports it (one line naming the file and line, or the flag),
 * instead of Spark's account of the stage with the task's stack trace.
 */
final class TaskFailure {
    private TaskFailure() {}

    /** "…(TID 2) (host executor 1): dev.neurodex.corpus.CorpusException: bad record at a.jsonl:2: …\n\tat …" */
    private static final Pattern TASK_ERROR = Pattern.compile("\\): ([\\w.$]+(?:Exception|Error)): (.*?)(?:\\n\\tat |$)",
            Pattern.DOTALL);

    static RuntimeException of(SparkException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof RuntimeException r && !(t instanceof SparkException)) {
                return r;
            }
        }
        Matcher m = TASK_ERROR.matcher(e.getMessage() == null ? "" : e.getMessage());
        return m.find() ? new IllegalStateException(m.group(2).strip(), e) : new IllegalStateException(e.getMessage(), e);
    }
}
