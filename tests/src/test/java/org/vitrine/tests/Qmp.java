package org.vitrine.tests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A minimal QMP client (QEMU Machine Protocol over a Unix socket, one JSON object per line): the
 * greeting, {@code qmp_capabilities}, then commands whose answer is returned as its JSON text.
 * Asynchronous events (lines with "event") are skipped. No JSON library: the tests build the
 * few commands they send by hand and only look for "return" or "error" in answers.
 */
final class Qmp implements AutoCloseable {
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    final String greeting;

    private Qmp(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
        this.greeting = in.readLine();
        if (greeting == null || !greeting.contains("\"QMP\"")) throw new IOException("no QMP greeting: " + greeting);
        execute("qmp_capabilities", null);
    }

    /** Connects to QEMU's {@code -qmp unix:PATH,server,nowait} socket, retrying while QEMU starts (30 s at most: a loaded host). */
    static Qmp connect(Path socket, Process qemu) throws IOException, InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (true) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                return new Qmp(ch);
            } catch (IOException e) {
                ch.close();
                if (!qemu.isAlive()) throw new IOException("QEMU exited with status " + qemu.exitValue() + " before QMP answered", e);
                if (System.nanoTime() > end) throw e;
                Thread.sleep(50);
            }
        }
    }

    /**
     * Runs a command ({@code argumentsJson} an object's text, or null) and returns the answer;
     * throws on "error". One command at a time: a lockstep's device-wait thread shares it.
     */
    synchronized String execute(String command, String argumentsJson) throws IOException {
        String msg = "{\"execute\":\"" + command + "\"" + (argumentsJson == null ? "" : ",\"arguments\":" + argumentsJson) + "}\n";
        out.write(msg.getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            String line = in.readLine();
            if (line == null) throw new IOException("QMP closed while waiting for the answer to " + command);
            if (line.contains("\"event\"") && !line.contains("\"return\"")) continue;
            if (line.contains("\"error\"")) throw new IOException("QMP " + command + ": " + line);
            return line;
        }
    }

    /** input-send-event with these events (a JSON array): QEMU delivers them, then a sync. */
    void sendInput(String eventsJson) throws IOException {
        execute("input-send-event", "{\"events\":" + eventsJson + "}");
    }

    /** screendump to a PPM file (QEMU 7.2's default format). */
    void screendump(Path file) throws IOException {
        execute("screendump", "{\"filename\":\"" + file.toAbsolutePath() + "\"}");
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
