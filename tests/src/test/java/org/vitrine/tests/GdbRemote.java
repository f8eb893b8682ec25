package org.vitrine.tests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A minimal client of the GDB remote serial protocol, enough to drive QEMU's gdbstub from a test:
 * continue and single step (the stop reply read when it comes), Ctrl-C, registers, and QEMU's own
 * {@code Qqemu.sstep} flags. Packets are {@code $body#checksum}, each acknowledged with {@code +};
 * the stub's own acks are skipped. One request at a time; Ctrl-C from any thread.
 */
final class GdbRemote implements AutoCloseable {
    /** QEMU's single-step flags ({@code Qqemu.sstep}): step; keep interrupts masked; keep timers stopped. */
    static final int SSTEP_ENABLE = 1, SSTEP_NOIRQ = 2, SSTEP_NOTIMER = 4;
    /** How long a continue's Ctrl-C may stay unanswered before the connection is given up. */
    private static final long UNANSWERED_MILLIS = 15_000;

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    private GdbRemote(SocketChannel channel) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects to a {@code -gdb unix:PATH,server,nowait} socket, retrying while QEMU starts (30 s at most). */
    static GdbRemote connect(Path socket, Process qemu) throws IOException, InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (true) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                return new GdbRemote(ch);
            } catch (IOException e) {
                ch.close();
                if (!qemu.isAlive()) throw new IOException("QEMU exited with status " + qemu.exitValue() + " before its gdbstub answered", e);
                if (System.nanoTime() > end) throw e;
                Thread.sleep(50);
            }
        }
    }

    /** Sends one packet and returns the stub's reply (for c and s: the stop reply, once the CPU stops). */
    String request(String body) throws IOException {
        send(body);
        return reply();
    }

    /** Sends one packet without waiting for its reply (a continue or step that ends later: {@link #reply}). */
    void send(String body) throws IOException {
        int sum = 0;
        for (byte b : body.getBytes(StandardCharsets.US_ASCII)) sum += b & 0xFF;
        synchronized (out) {
            out.write(String.format("$%s#%02x", body, sum & 0xFF).getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    /** Ctrl-C: asks a running QEMU to stop (the stop reply then says signal 2); safe from any thread. */
    void interrupt() throws IOException {
        synchronized (out) {
            out.write(3);
            out.flush();
        }
    }

    /** The next packet from the stub (acks skipped), acknowledged. */
    String reply() throws IOException {
        int c;
        do {
            c = in.read();
            if (c < 0) throw new IOException("gdbstub closed the connection");
        } while (c != '$');
        StringBuilder body = new StringBuilder();
        while ((c = in.read()) != '#') {
            if (c < 0) throw new IOException("gdbstub closed the connection");
            body.append((char) c);
        }
        if (in.read() < 0 || in.read() < 0) throw new IOException("gdbstub closed the connection");
        out.write('+');
        out.flush();
        return body.toString();
    }

    /** Asks for an OK (settings); throws with the stub's answer otherwise. */
    void expectOk(String body) throws IOException {
        String r = request(body);
        if (!r.equals("OK")) throw new IOException("gdbstub answered '" + r + "' to " + body);
    }

    /**
     * Continues until the next stop (a breakpoint, or {@link #interrupt} from another thread);
     * returns the stop reply. After {@code guardMillis} the CPU is interrupted (the reply then says
     * signal 2), so that a guest that never gets where it should fails the test instead of hanging it.
     */
    String cont(long guardMillis) throws IOException {
        send("c");
        java.util.concurrent.atomic.AtomicBoolean unanswered = new java.util.concurrent.atomic.AtomicBoolean();
        Thread guard = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(guardMillis);
                interrupt();
                // A QEMU whose main loop no longer runs answers nothing: give up instead of hanging.
                Thread.sleep(UNANSWERED_MILLIS);
                unanswered.set(true);
                channel.close();
            } catch (InterruptedException | IOException replied) {
                // stopped in time, or the connection is gone
            }
        });
        try {
            return stop(reply());
        } catch (IOException e) {
            if (unanswered.get()) {
                throw new IOException("QEMU neither stopped within " + guardMillis + " ms nor answered Ctrl-C in "
                        + UNANSWERED_MILLIS + " ms more (its main loop is stuck)", e);
            }
            throw e;
        } finally {
            guard.interrupt();
        }
    }

    private static String stop(String reply) throws IOException {
        if (reply.startsWith("W") || reply.startsWith("X")) throw new IOException("QEMU's guest ended: " + reply);
        return reply;
    }

    /**
     * QEMU masks interrupts and timers while single-stepping by default; with this a step from a
     * WFI waits for the interrupt that ends it and stops at the vector instead of hanging.
     */
    void allowInterruptsWhileStepping() throws IOException {
        expectOk("Qqemu.sstep=" + SSTEP_ENABLE);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
