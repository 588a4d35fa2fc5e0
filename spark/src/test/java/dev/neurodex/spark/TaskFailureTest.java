package dev.neurodex.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.neurodex.corpus.CorpusException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** A failed task's error as one line: Spark's cause when it kept one, else the task's error out of its account. */
class TaskFailureTest {
    @Test
    void theTasksOwnErrorWhenSparkKeptIt() {
        CorpusException cause = new CorpusException("bad record at a.jsonl:2: not a JSON object");
        assertSame(cause, TaskFailure.of(new SparkException("Job aborted due to stage failure", cause)));
    }

    @Test
    void theTasksErrorReadOutOfSparksAccountOtherwise() {
        SparkException e = new SparkException("Job aborted due to stage failure: Task 1 in stage 1.0 failed 1 times, "
                + "most recent failure: Lost task 1.0 in stage 1.0 (TID 2) (10.0.0.5 executor 3): "
                + "dev.neurodex.corpus.CorpusException: bad record at a.jsonl:2: not a JSON object (--strict stops at "
                + "the first one)\n\tat dev.neurodex.corpus.BadRecords.report(BadRecords.java:28)\n\nDriver stacktrace:");
        assertEquals("bad record at a.jsonl:2: not a JSON object (--strict stops at the first one)",
                TaskFailure.of(e).getMessage());
    }
}
