package org.vitrine.cli.debugview;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last lines of the guest's UART output, for the view's Console panel. The machine thread
 * appends bytes as the UART emits them; the window thread takes copies. Bounded: a chatty guest
 * costs at most {@code capacity} lines of memory. Thread-safe.
 */
public final class ConsoleTail {
    private static final int MAX_LINE = 400;   // a line without newlines is cut here, so it cannot grow forever

    private final int capacity;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final StringBuilder current = new StringBuilder();
    private long version;

    public ConsoleTail(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
    }

    /** One byte of UART output; carriage returns are dropped, other control characters shown as '.'. */
    public synchronized void append(int b) {
        b &= 0xff;
        if (b == '\n') {
            push(current.toString());
            current.setLength(0);
        } else if (b != '\r') {
            current.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
            if (current.length() >= MAX_LINE) {
                push(current.toString());
                current.setLength(0);
            }
        }
        version++;
    }

    private void push(String line) {
        lines.addLast(line);
        while (lines.size() > capacity) lines.removeFirst();
    }

    /** The complete lines kept, oldest first, then the line being written if it is not empty. */
    public synchronized List<String> lines() {
        List<String> out = new java.util.ArrayList<>(lines);
        if (!current.isEmpty()) out.add(current.toString());
        return out;
    }

    /**
     * {@code lines} as rows of at most {@code columns} characters (at least 8): a longer line goes on
     * in the next rows, broken after its last space that leaves a row at least half full, else at
     * the width. Pure: the Console panel shows whole lines however narrow it is.
     */
    public static List<String> wrap(List<String> lines, int columns) {
        int width = Math.max(8, columns);
        List<String> rows = new java.util.ArrayList<>();
        for (String line : lines) {
            String rest = line;
            while (rest.length() > width) {
                int cut = rest.lastIndexOf(' ', width);
                cut = cut >= width / 2 ? cut + 1 : width;
                rows.add(rest.substring(0, cut));
                rest = rest.substring(cut);
            }
            rows.add(rest);
        }
        return rows;
    }

    /** Grows with every byte appended: the view redraws its console only when this moved. */
    public synchronized long version() {
        return version;
    }
}
