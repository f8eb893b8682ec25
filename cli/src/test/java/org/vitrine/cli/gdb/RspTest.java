package org.vitrine.cli.gdb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The packet layer: checksums, framing, binary escapes, hex, and splitting gdb's byte stream. */
class RspTest {
    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void checksumIsTheByteSumModulo256() {
        assertEquals(0, Rsp.checksum(new byte[0]));
        assertEquals(0x3f, Rsp.checksum(ascii("?")));
        assertEquals((('g' + 0) & 0xff), Rsp.checksum(ascii("g")));
        // known frames from gdb sessions
        assertEquals("$OK#9a", new String(Rsp.frame("OK"), StandardCharsets.ISO_8859_1));
        assertEquals("$qSupported#37", new String(Rsp.frame("qSupported"), StandardCharsets.ISO_8859_1));
        assertEquals("$#00", new String(Rsp.frame(""), StandardCharsets.ISO_8859_1));
        byte[] big = new byte[300];
        java.util.Arrays.fill(big, (byte) 0xff);
        assertEquals((300 * 0xff) & 0xff, Rsp.checksum(big));
    }

    @Test
    void binaryEscapesRoundTripAndCoverTheSpecialBytes() {
        byte[] raw = {'#', '$', '}', '*', 'a', 0, (byte) 0xff, 0x03};
        byte[] escaped = Rsp.escape(raw);
        assertArrayEquals(new byte[] {'}', 0x03, '}', 0x04, '}', 0x5d, '}', 0x0a, 'a', 0, (byte) 0xff, 0x03}, escaped);
        assertArrayEquals(raw, Rsp.unescape(escaped, 0, escaped.length));
        assertThrows(IllegalArgumentException.class, () -> Rsp.unescape(new byte[] {'a', '}'}, 0, 2));
    }

    @Test
    void hexHelpers() {
        assertEquals("00ff10", Rsp.hex(new byte[] {0, (byte) 0xff, 0x10}));
        assertArrayEquals(new byte[] {0, (byte) 0xff, 0x10}, Rsp.unhex("00FF10"));
        assertThrows(IllegalArgumentException.class, () -> Rsp.unhex("abc"));
        assertThrows(IllegalArgumentException.class, () -> Rsp.unhex("zz"));
        assertEquals(0xffff_ffff_ffff_fff0L, Rsp.parseHex("fffffffffffffff0"));
        assertThrows(IllegalArgumentException.class, () -> Rsp.parseHex(""));
        assertThrows(IllegalArgumentException.class, () -> Rsp.parseHex("10000000000000000"));
        assertEquals("efbeadde00000000", Rsp.hexLe(0xdeadbeefL, 8));
        assertEquals("c5030060", Rsp.hexLe(0x600003c5L, 4));
        assertEquals(0xdeadbeefL, Rsp.parseLe("efbeadde00000000", 0, 8));
        assertEquals(0x600003c5L, Rsp.parseLe("xxc5030060", 2, 4));
        assertThrows(IllegalArgumentException.class, () -> Rsp.parseLe("efbe", 0, 8));
    }

    @Test
    void readerSplitsPacketsAcksAndInterrupts() throws IOException {
        String stream = "+$qSupported:multiprocess+#c6\n-\u0003$g#67$m0,4#fe";
        PacketReader r = new PacketReader(new ByteArrayInputStream(ascii(stream)));
        assertInstanceOf(PacketReader.Ack.class, r.next());
        PacketReader.Packet p = assertInstanceOf(PacketReader.Packet.class, r.next());
        assertEquals("qSupported:multiprocess+", p.text());
        assertInstanceOf(PacketReader.Nack.class, r.next(), "the newline between is skipped");
        assertInstanceOf(PacketReader.Interrupt.class, r.next());
        assertEquals("g", assertInstanceOf(PacketReader.Packet.class, r.next()).text());
        assertInstanceOf(PacketReader.BadPacket.class, r.next(), "m0,4 sums to 0xfd, not 0xfe");
        assertInstanceOf(PacketReader.End.class, r.next());
    }

    @Test
    void readerRejectsBadChecksumDigitsTruncationAndOversizedPackets() throws IOException {
        assertInstanceOf(PacketReader.BadPacket.class, new PacketReader(new ByteArrayInputStream(ascii("$g#zz"))).next());
        assertInstanceOf(PacketReader.End.class, new PacketReader(new ByteArrayInputStream(ascii("$g#6"))).next());
        assertInstanceOf(PacketReader.End.class, new PacketReader(new ByteArrayInputStream(ascii("$gggg"))).next());
        String huge = "$" + "a".repeat(PacketReader.MAX_PACKET + 10) + "#00$g#67";
        PacketReader r = new PacketReader(new ByteArrayInputStream(ascii(huge)));
        assertInstanceOf(PacketReader.BadPacket.class, r.next());
        assertEquals("g", assertInstanceOf(PacketReader.Packet.class, r.next()).text(), "the stream stays in sync");
    }

    @Test
    void binaryPacketKeepsItsEscapesForTheHandler() throws IOException {
        byte[] payload = {'X', '1', '0', ',', '2', ':', '}', 0x03, 'z'};   // data: '#', 'z'
        byte[] framed = Rsp.frame(payload);
        PacketReader.Packet p = assertInstanceOf(PacketReader.Packet.class, new PacketReader(new ByteArrayInputStream(framed)).next());
        assertArrayEquals(payload, p.payload());
        assertArrayEquals(new byte[] {'#', 'z'}, Rsp.unescape(p.payload(), 6, p.payload().length));
    }
}
