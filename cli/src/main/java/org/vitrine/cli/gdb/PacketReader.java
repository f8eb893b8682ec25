package org.vitrine.cli.gdb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Splits the byte stream from gdb into what the protocol sends: packets ({@code $...#cs}, the
 * checksum verified), acknowledgements ({@code +}/{@code -}) and the interrupt byte 0x03 sent
 * outside packets (Ctrl-C). Stray bytes between packets are skipped; an oversized packet is
 * reported as bad rather than buffered without bound.
 */
public final class PacketReader {
    /** Larger than any packet gdb sends to a stub that announces {@link #MAX_PACKET} as PacketSize. */
    public static final int MAX_PACKET = 0x4000;

    public sealed interface Event permits Packet, BadPacket, Interrupt, Ack, Nack, End { }

    /** A packet whose checksum matched; the payload is as sent (escapes not undone). */
    public record Packet(byte[] payload) implements Event {
        public String text() {
            return new String(payload, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /** A packet with a wrong checksum or too long: the sender should get a '-' and resend. */
    public record BadPacket(String why) implements Event { }

    public record Interrupt() implements Event { }

    public record Ack() implements Event { }

    public record Nack() implements Event { }

    /** The connection closed. */
    public record End() implements Event { }

    private final InputStream in;

    public PacketReader(InputStream in) {
        this.in = in;
    }

    /** The next event; blocks until one arrives. */
    public Event next() throws IOException {
        while (true) {
            int c = in.read();
            switch (c) {
                case -1: return new End();
                case 0x03: return new Interrupt();
                case '+': return new Ack();
                case '-': return new Nack();
                case '$': return packet();
                default: // noise between packets (e.g. a newline typed into a raw connection)
            }
        }
    }

    private Event packet() throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        boolean tooLong = false;
        int c;
        while ((c = in.read()) != '#') {
            if (c == -1) return new End();
            if (payload.size() < MAX_PACKET) payload.write(c);
            else tooLong = true;
        }
        int hi = in.read(), lo = in.read();
        if (hi == -1 || lo == -1) return new End();
        if (tooLong) return new BadPacket("packet longer than " + MAX_PACKET + " bytes");
        int sum = Character.digit(hi, 16) << 4 | Character.digit(lo, 16);
        byte[] bytes = payload.toByteArray();
        if (Character.digit(hi, 16) < 0 || Character.digit(lo, 16) < 0 || sum != Rsp.checksum(bytes)) {
            return new BadPacket(String.format("checksum %c%c, payload sums to %02x", (char) hi, (char) lo, Rsp.checksum(bytes)));
        }
        return new Packet(bytes);
    }
}
