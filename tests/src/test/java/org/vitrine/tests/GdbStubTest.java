package org.vitrine.tests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vitrine run --gdb} spoken to byte by byte, as gdb would: acknowledgements, checksums,
 * queries, registers and memory, breakpoints, stepping, Ctrl-C, kill and the exit reply, and
 * malformed packets answered with errors while the session carries on.
 */
class GdbStubTest {
    static final Pattern WAITING = Pattern.compile("waiting for gdb on 127\\.0\\.0\\.1:(\\d+)");
    static final int NOP = 0xD503201F;

    @TempDir
    Path dir;

    /** A minimal RSP client. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        boolean acks = true;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(20_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void sendRaw(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Sends a packet, checks its acknowledgement, returns the reply (acknowledging it). */
        String ask(String payload) throws IOException {
            sendRaw(frame(payload));
            if (acks) assertEquals('+', in.read(), "ack for " + payload);
            return reply();
        }

        String reply() throws IOException {
            int c;
            while ((c = in.read()) != '$') assertTrue(c != -1, "connection closed");
            StringBuilder sb = new StringBuilder();
            while ((c = in.read()) != '#') sb.append((char) c);
            String cs = "" + (char) in.read() + (char) in.read();
            assertEquals(String.format("%02x", sum(sb.toString())), cs, "checksum of " + sb);
            if (acks) sendRaw("+");
            return sb.toString();
        }

        static String frame(String payload) {
            return "$" + payload + "#" + String.format("%02x", sum(payload));
        }

        static int sum(String s) {
            int sum = 0;
            for (char ch : s.toCharArray()) sum += ch;
            return sum & 0xff;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static int port(VitrineProcess p) throws InterruptedException {
        Matcher m = WAITING.matcher(p.err.await(l -> WAITING.matcher(l).find(), 0, Duration.ofSeconds(30)));
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    static String le64(long v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) sb.append(String.format("%02x", (v >>> (8 * i)) & 0xff));
        return sb.toString();
    }

    @Test
    void protocolSession() throws Exception {
        Path elf = TinyElf.write(dir, "nops.elf", NOP, NOP, TinyElf.SPIN);
        long entry = TinyElf.LOAD + 64 + 56;
        try (VitrineProcess p = VitrineProcess.start(Map.of(), "run", "--headless", "--gdb", "0", "--kernel", elf.toString());
             Client c = new Client(port(p))) {
            assertTrue(c.ask("qSupported:multiprocess+;swbreak+;xmlRegisters=i386").contains("qXfer:features:read+"));
            c.sendRaw("$g#00");
            assertEquals('-', c.in.read(), "a bad checksum is refused");
            assertEquals("T05thread:1;", c.ask("?"), "halted at the entry point");
            String xml = c.ask("qXfer:features:read:target.xml:0,3fff");
            assertTrue(xml.startsWith("l") && xml.contains("org.gnu.gdb.aarch64.core") && xml.contains("org.gnu.gdb.aarch64.fpu"), xml);
            String regs = c.ask("g");
            assertEquals(2 * (33 * 8 + 4 + 32 * 16 + 4 + 4), regs.length());
            assertEquals(le64(entry), regs.substring(32 * 16, 33 * 16), "pc in the g packet");
            assertEquals(le64(entry), c.ask("p20"));
            assertEquals("1f2003d5", c.ask("m" + Long.toHexString(entry) + ",4"), "the first instruction (nop)");
            assertEquals("E14", c.ask("m0,4"), "nothing at physical 0 but flash-less space");
            // malformed packets get errors; the session goes on
            for (String bad : new String[] {"mzz,4", "m", "m1", "P", "P1=12", "Z0", "Z0,zz,4", "Gab", "X", "Xzz", "p", "vCont;q", "M40200000,2:01"}) {
                assertEquals("E01", c.ask(bad), bad);
            }
            assertEquals("", c.ask("qUnknownThing"), "unsupported: empty reply");
            assertEquals("OK", c.ask("M40200000,4:01020304"));
            assertEquals("01020304", c.ask("m40200000,4"));
            assertEquals("OK", c.ask("X40200000,2:}\u0003z"), "binary write of '#' 'z'");
            assertEquals("237a0304", c.ask("m40200000,4"));
            assertEquals("OK", c.ask("P5=" + le64(0x1234_5678_9abcL)));
            assertEquals(le64(0x1234_5678_9abcL), c.ask("p5"));
            assertEquals("OK", c.ask("Hg0"));
            assertEquals("QC1", c.ask("qC"));
            assertEquals("m1", c.ask("qfThreadInfo"));
            assertEquals("l", c.ask("qsThreadInfo"));
            assertEquals("OK", c.ask("T1"));
            assertEquals("1", c.ask("qAttached"));
            assertEquals("vCont;c;C;s;S", c.ask("vCont?"));
            assertEquals("OK", c.ask("QStartNoAckMode"));
            c.acks = false;
            // breakpoint, step, continue, Ctrl-C
            assertEquals("OK", c.ask("Z0," + Long.toHexString(entry + 4) + ",4"));
            assertEquals("T05thread:1;", c.ask("vCont;c"));
            assertEquals(le64(entry + 4), c.ask("p20"));
            assertEquals("T05thread:1;", c.ask("vCont;s:1;c"));
            assertEquals(le64(entry + 8), c.ask("p20"));
            assertEquals("OK", c.ask("z0," + Long.toHexString(entry + 4) + ",4"));
            c.sendRaw(Client.frame("c"));
            // Usually the guest spins by now. The reply does not depend on it: a Ctrl-C that overtakes
            // the resume stops it at once (Debugger.interrupt), so a loaded host cannot make this fail.
            Thread.sleep(200);
            c.sendRaw("\u0003");
            assertEquals("T02thread:1;", c.reply(), "Ctrl-C stops the spinning guest");
            assertEquals(le64(entry + 8), c.ask("p20"));
            c.sendRaw(Client.frame("k"));
            assertEquals(0, p.awaitExit(Duration.ofSeconds(20)), p.err.text());
            assertTrue(p.err.text().contains("killed by the debugger"), p.err.text());
        }
    }

    @Test
    void powerOffEndsTheSessionWithTheExitStatus() throws Exception {
        Path elf = TinyElf.write(dir, "off.elf", TinyElf.powerOff(42));
        try (VitrineProcess p = VitrineProcess.start(Map.of(), "run", "--headless", "--gdb", "0", "--kernel", elf.toString());
             Client c = new Client(port(p))) {
            assertEquals("W2a", c.ask("c"));
            assertEquals(42, p.awaitExit(Duration.ofSeconds(20)), p.err.text());
        }
    }

    @Test
    void detachingLetsTheMachineRunOn() throws Exception {
        Path elf = TinyElf.write(dir, "off.elf", TinyElf.powerOff(7));
        try (VitrineProcess p = VitrineProcess.start(Map.of(), "run", "--headless", "--gdb", "0", "--kernel", elf.toString());
             Client c = new Client(port(p))) {
            assertEquals("OK", c.ask("Z0," + Long.toHexString(TinyElf.LOAD + 64 + 56 + 8) + ",4"));
            assertEquals("OK", c.ask("D"));
            assertEquals(7, p.awaitExit(Duration.ofSeconds(20)), "ran to power-off without stopping at the breakpoint");
            assertTrue(p.process.waitFor(1, TimeUnit.SECONDS));
        }
    }
}
