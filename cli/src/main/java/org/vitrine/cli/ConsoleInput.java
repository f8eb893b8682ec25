package org.vitrine.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

import org.vitrine.devices.arm.Pl011;
import org.vitrine.emulator.cpu.Cpu;

/**
 * Feeds the host's standard input to the guest's UART. A reader thread hands each chunk to the
 * emulation thread (Cpu.post); there the bytes wait in a queue and enter the PL011's receive FIFO
 * as fast as the guest empties it, so nothing typed is lost to a full FIFO. While standard input
 * is open, an idle guest is waiting for it rather than hung. After a guest reset the same input
 * is re-attached to the new machine. When another input source stays open for the whole session
 * (the window), the end of standard input does not make an idle guest count as hung.
 */
final class ConsoleInput {
    private final ArrayDeque<Byte> pending = new ArrayDeque<>();   // emulation thread only
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> incoming = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile Cpu cpu;
    private volatile Pl011 uart;
    private volatile boolean open = true;
    private final boolean otherInputOpen;

    ConsoleInput(InputStream in) {
        this(in, false);
    }

    /** @param otherInputOpen another source of host input (a window) is open as long as the session */
    ConsoleInput(InputStream in, boolean otherInputOpen) {
        this.otherInputOpen = otherInputOpen;
        Thread t = new Thread(() -> pump(in), "vitrine-console-input");
        t.setDaemon(true);
        t.start();
    }

    /** Directs input to this machine's UART (called on the emulation thread before it runs). */
    void attach(Cpu target, Pl011 targetUart) {
        pending.clear();
        uart = targetUart;
        cpu = target;
        targetUart.setRxSpaceListener(this::feed);
        target.setHostInputOpen(open || otherInputOpen);
        takeIncoming();   // what was typed before the machine existed
    }

    /** Emulation thread: moves chunks from the reader thread into the UART's waiting queue. */
    private void takeIncoming() {
        byte[] chunk;
        while ((chunk = incoming.poll()) != null) {
            for (byte b : chunk) pending.add(b);
        }
        feed();
    }

    private void pump(InputStream in) {
        byte[] buf = new byte[256];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                incoming.add(java.util.Arrays.copyOf(buf, n));
                Cpu c = cpu;
                if (c != null) c.post(this::takeIncoming); // else attach() picks it up
            }
        } catch (IOException ignored) {
            // standard input went away: same as end of input
        } finally {
            open = false;
            Cpu c = cpu;
            if (c != null && !otherInputOpen) c.setHostInputOpen(false);
        }
    }

    private void feed() {
        Pl011 u = uart;
        if (u == null) return;
        while (!pending.isEmpty() && u.rxSpace() > 0) u.receive(pending.poll() & 0xff);
    }
}
