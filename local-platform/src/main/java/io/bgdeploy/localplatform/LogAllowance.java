package io.bgdeploy.localplatform;

/**
 * What one reader may still hand to the sink in a log round: a number of lines and of bytes. The
 * first line is always allowed whatever its length (up to {@link ContainerLogFiles#MAX_LINE_CHARS}
 * characters, four bytes each at most), so a share smaller than a line still moves on.
 */
final class LogAllowance {

    private int lines;
    private long bytes;
    private int takenLines;
    private long takenBytes;

    LogAllowance(int lines, long bytes) {
        this.lines = Math.max(0, lines);
        this.bytes = Math.max(0, bytes);
    }

    /** Takes one line of {@code lineBytes} from the allowance, if it is left. */
    boolean take(int lineBytes) {
        if (lines == 0 || takenLines > 0 && lineBytes > bytes) {
            return false;
        }
        lines--;
        bytes = Math.max(0, bytes - lineBytes);
        takenLines++;
        takenBytes += lineBytes;
        return true;
    }

    boolean exhausted() {
        return lines == 0 || takenLines > 0 && bytes == 0;
    }

    /** Half of what is left, for the first of two streams; what it does not use goes back with {@link #giveBack}. */
    LogAllowance half() {
        LogAllowance half = new LogAllowance((lines + 1) / 2, (bytes + 1) / 2);
        lines -= half.lines;
        bytes -= half.bytes;
        return half;
    }

    /** Takes back what a part given by {@link #half} did not use, and counts what it did. */
    void giveBack(LogAllowance part) {
        lines += part.lines;
        bytes += part.bytes;
        takenLines += part.takenLines;
        takenBytes += part.takenBytes;
    }

    int takenLines() {
        return takenLines;
    }

    long takenBytes() {
        return takenBytes;
    }
}
