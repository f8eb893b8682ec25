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

    /** Grows with every byte appended: the view redraws its console only when this moved. */
    public synchronized long version() {
        return version;
    }
}
