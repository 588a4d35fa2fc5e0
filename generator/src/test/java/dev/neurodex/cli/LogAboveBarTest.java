package dev.neurodex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class LogAboveBarTest {
    @Test
    void aMessageWhileTheBarIsShownStartsOnALineOfItsOwn() {
        StringWriter err = new StringWriter();
        LogAboveBar log = new LogAboveBar(new PrintWriter(err, true));
        PrintWriter out = new PrintWriter(log, true);
        out.println("before the bar");
        err.write("\rscan 10% [==   ]"); // what the bar draws, with no newline
        log.barDrawn();
        out.println("skipped bad record at a.jsonl:2: broken JSON");
        out.println("and another");
        out.println("after");
        // Tests run without a console: the bar's line is ended rather than cleared with an escape sequence.
        assertEquals("before the bar\n\rscan 10% [==   ]\nskipped bad record at a.jsonl:2: broken JSON\nand another\n"
                + "after\n", err.toString().replace(System.lineSeparator(), "\n"));
    }
}
