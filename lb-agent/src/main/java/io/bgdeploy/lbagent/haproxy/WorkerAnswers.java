package io.bgdeploy.lbagent.haproxy;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits what HAProxy's CLI sent back for several commands into the answer to each. Outside
 * interactive mode the CLI ends every answer with an empty line: an answer with text ends with
 * {@code "\n\n"}, an empty one is a lone {@code "\n"}. Pure.
 */
final class WorkerAnswers {

    private WorkerAnswers() {
    }

    /** The answers in order, each without its closing empty line; null when the text is not {@code count} answers. */
    static List<String> split(String text, int count) {
        List<String> answers = new ArrayList<>(count);
        int at = 0;
        while (at < text.length()) {
            if (text.charAt(at) == '\n') {
                answers.add("");
                at++;
                continue;
            }
            int end = text.indexOf("\n\n", at);
            if (end < 0) {
                return null;
            }
            answers.add(text.substring(at, end + 1));
            at = end + 2;
        }
        return answers.size() == count ? answers : null;
    }

    /** The answers in order, as {@link #split}; refused with the text when it is not {@code count} answers. */
    static List<String> splitAll(String text, int count) {
        List<String> answers = split(text, count);
        if (answers == null) {
            throw new IllegalStateException("HAProxy gave " + count + " command(s) an answer that does not read as "
                    + count + " answer(s): " + text.strip());
        }
        return answers;
    }
}
