package io.bgdeploy.deployer.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogTailTest {

    private static LogLine line(String key) {
        return new LogLine(key, "line " + key);
    }

    @Test
    void eachLineIsHandedOutOnceEvenWhenItAppearsBetweenLinesAlreadySent() {
        LogTail tail = new LogTail();
        assertThat(tail.unsent(List.of(line("1"), line("3")))).containsExactly(line("1"), line("3"));
        // "2" was confirmed after "3": a count of lines sent would send "3" again and never "2"
        assertThat(tail.unsent(List.of(line("1"), line("2"), line("3"), line("4"))))
                .containsExactly(line("2"), line("4"));
        assertThat(tail.unsent(List.of(line("1"), line("2"), line("3"), line("4")))).isEmpty();
    }

    @Test
    void newLinesComeInKeyOrderWhateverOrderTheyWereReadIn() {
        LogTail tail = new LogTail();
        assertThat(tail.unsent(List.of(line("b"), line("a"), line("c")))).containsExactly(line("a"), line("b"), line("c"));
    }
}
