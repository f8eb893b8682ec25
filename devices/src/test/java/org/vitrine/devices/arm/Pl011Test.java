package org.vitrine.devices.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.devices.RecordingLine;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.time.EventQueue;

class Pl011Test {
    static final int DR = 0x00, RSR = 0x04, FR = 0x18, IBRD = 0x24, FBRD = 0x28, LCR_H = 0x2C, CR = 0x30,
            IFLS = 0x34, IMSC = 0x38, RIS = 0x3C, MIS = 0x40, ICR = 0x44, DMACR = 0x48;
    static final int FR_RXFE = 0x10, FR_TXFF = 0x20, FR_RXFF = 0x40, FR_TXFE = 0x80, FR_BUSY = 0x08;
    static final int INT_RX = 1 << 4, INT_TX = 1 << 5, INT_OE = 1 << 10;
    static final int LCR_H_FEN = 1 << 4, LCR_H_WLEN_8 = 3 << 5;
    static final int CR_ENABLED = 0x301; // UARTEN | TXE | RXE
    static final int CR_LBE = 1 << 7;

    final EventQueue clock = new EventQueue(62_500_000L);
    final ByteArrayOutputStream tx = new ByteArrayOutputStream();
    RecordingLine irq;
    Pl011 uart;
    /** This test's machine log: only this UART reports into it. */
    final GuestLog log = GuestLog.silent();

    @BeforeEach
    void setUp() {
        irq = new RecordingLine();
        uart = new Pl011(tx::write, irq, log);
    }

    long r(int off) {
        return uart.read(off, 4);
    }

    void w(int off, long v) {
        uart.write(off, 4, v);
    }

    void enableUart(boolean fifo) {
        w(LCR_H, LCR_H_WLEN_8 | (fifo ? LCR_H_FEN : 0));
        w(CR, CR_ENABLED);
    }

    @Test
    void resetValuesAndIdentification() {
        assertEquals(0x1000, uart.size());
        assertEquals(0x90, r(FR), "TXFE | RXFE after reset, as QEMU");
        assertEquals(0x300, r(CR));
        assertEquals(0x12, r(IFLS));
        assertEquals(0, r(RIS));
        int[] ids = {0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
        for (int i = 0; i < ids.length; i++) assertEquals(ids[i], r(0xFE0 + 4 * i), "ID register " + i);
    }

    @Test
    void transmittedBytesReachTheSink() {
        enableUart(true);
        for (byte b : "Hi!\n".getBytes(StandardCharsets.US_ASCII)) w(DR, b);
        uart.write(DR, 1, 'x'); // Byte stores to UARTDR work, as on QEMU.
        w(DR, 0x1FF);           // Only the data byte is sent.
        assertEquals("Hi!\nx\u00ff", tx.toString(StandardCharsets.ISO_8859_1));
        long fr = r(FR);
        assertEquals(FR_TXFE, fr & FR_TXFE, "instant transmission: TX FIFO empty");
        assertEquals(0, fr & (FR_TXFF | FR_BUSY));
    }

    @Test
    void transmitInterruptAfterEachWrite() {
        enableUart(true);
        w(IMSC, INT_TX);
        assertFalse(irq.level, "TXRIS is clear after reset");
        w(DR, 'a');
        assertEquals(INT_TX, r(RIS) & INT_TX);
        assertEquals(INT_TX, r(MIS));
        assertTrue(irq.level);
        w(ICR, INT_TX);
        assertFalse(irq.level);
        assertEquals(0, r(RIS) & INT_TX);
        w(DR, 'b');
        assertTrue(irq.level);
        w(IMSC, 0);
        assertFalse(irq.level, "masked");
        assertEquals(INT_TX, r(RIS) & INT_TX, "raw status unaffected by the mask");
    }

    @Test
    void receiveFifoOrderFlagsAndInterrupts() {
        enableUart(true);
        w(IMSC, INT_RX);
        assertEquals(Pl011.FIFO_DEPTH, uart.rxSpace());
        uart.receive("abc".getBytes(StandardCharsets.US_ASCII));
        assertTrue(irq.level, "RX interrupt at the first character (QEMU's trigger level)");
        assertEquals(INT_RX, r(MIS));
        assertEquals(0, r(FR) & FR_RXFE);
        assertEquals('a', r(DR));
        assertEquals('b', r(DR));
        assertTrue(irq.level, "still data in the FIFO");
        assertEquals('c', r(DR));
        assertFalse(irq.level, "FIFO drained");
        assertEquals(FR_RXFE, r(FR) & FR_RXFE);
        assertEquals(0, r(DR), "empty FIFO reads 0");

        // Clearing the interrupt with data still queued.
        uart.receive('d');
        uart.receive('e');
        assertTrue(irq.level);
        w(ICR, INT_RX);
        assertFalse(irq.level);
        assertEquals('d', r(DR));
        assertEquals('e', r(DR));
        uart.receive('f');
        assertTrue(irq.level, "refilled after draining: raised again");
        w(IMSC, 0);
        assertFalse(irq.level, "masked");
        assertEquals(INT_RX, r(RIS) & INT_RX);
    }

    @Test
    void fifoFullAndOverrun() {
        enableUart(true);
        for (int i = 0; i < Pl011.FIFO_DEPTH; i++) uart.receive('0' + i);
        assertEquals(FR_RXFF, r(FR) & FR_RXFF);
        assertEquals(0, uart.rxSpace());
        w(IMSC, INT_OE);
        uart.receive('!');
        assertTrue(irq.level, "overrun interrupt");
        assertEquals(8, r(RSR) & 8, "UARTRSR.OE");
        int[] freed = {0};
        uart.setRxSpaceListener(() -> freed[0]++);
        for (int i = 0; i < Pl011.FIFO_DEPTH; i++) assertEquals('0' + i, r(DR), "FIFO contents kept");
        assertEquals(Pl011.FIFO_DEPTH, freed[0], "host told about each freed slot");
        assertEquals(8, r(RSR) & 8, "overrun status is sticky");
        w(RSR, 0); // UARTECR
        assertEquals(0, r(RSR));
        w(ICR, 0x7FF);
        assertFalse(irq.level);
    }

    @Test
    void withoutFifoTheReceiverHoldsOneCharacter() {
        enableUart(false);
        uart.receive('x');
        assertEquals(FR_RXFF, r(FR) & FR_RXFF);
        uart.receive('y');
        assertEquals(INT_OE, r(RIS) & INT_OE);
        assertEquals('x', r(DR));
        assertEquals(FR_RXFE, r(FR) & FR_RXFE);

        uart.receive('z');
        w(LCR_H, LCR_H_WLEN_8 | LCR_H_FEN); // Changing FEN empties the FIFO, as QEMU.
        assertEquals(FR_RXFE, r(FR) & FR_RXFE);
    }

    @Test
    void loopbackSendsTransmitterToReceiver() {
        enableUart(true);
        w(CR, CR_ENABLED | CR_LBE);
        uart.receive('h'); // Ignored: the receiver listens to the transmitter only.
        w(DR, 'L');
        assertEquals('L', r(DR));
        assertEquals(FR_RXFE, r(FR) & FR_RXFE);
        assertEquals("L", tx.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void storedRegistersReadBack() {
        w(IBRD, 0x12345);
        w(FBRD, 0xFF);
        assertEquals(0x2345, r(IBRD));
        assertEquals(0x3F, r(FBRD));
        w(IMSC, 0xFFFF);
        assertEquals(0x7FF, r(IMSC));
        assertEquals(0x12, uart.read(IFLS, 1));
    }

    @Test
    void hostileAccessesAreLoggedNotThrown() {
        Runnable[] hostile = {
            () -> uart.read(0x08, 4),          // reserved
            () -> uart.write(0x1C, 4, 1),      // reserved
            () -> uart.read(0xFD0, 4),         // reserved (below the ID block)
            () -> uart.write(FR, 4, 0),        // read-only
            () -> uart.write(RIS, 4, 0xFF),    // read-only
            () -> uart.write(MIS, 4, 0xFF),    // read-only
            () -> uart.write(0xFE0, 4, 0),     // read-only ID
            () -> uart.read(ICR, 4),           // write-only
            () -> uart.read(DR, 8),            // 64-bit
            () -> uart.write(DR + 1, 1, 'q'),  // misaligned
            () -> uart.read(0x1000, 4),        // outside the region
            () -> uart.read(0x80, 4),          // test register: unimplemented
            () -> uart.write(DMACR, 4, 3),     // DMA: unimplemented
            () -> uart.write(CR, 4, 0x303),    // SIREN: unimplemented
        };
        // UARTEN is clear after reset: transmitting then is a guest mistake QEMU tolerates.
        long before = log.count();
        w(DR, 'z');
        assertTrue(log.count() > before, "write to a disabled UART is reported");
        assertEquals("z", tx.toString(StandardCharsets.ISO_8859_1), "and still transmitted, as QEMU");
        before = log.count();
        w(DR, 'z');
        assertEquals(before, log.count(), "reported once, not per character");

        for (int i = 0; i < hostile.length; i++) {
            before = log.count();
            hostile[i].run();
            assertTrue(log.count() > before, "hostile access " + i + " is reported");
        }
        assertEquals("zz", tx.toString(StandardCharsets.ISO_8859_1), "the misaligned store sent nothing");
    }

    @Test
    void resetEmptiesTheFifo() {
        enableUart(true);
        uart.receive('a');
        w(IMSC, INT_RX);
        assertTrue(irq.level);
        uart.reset();
        assertFalse(irq.level);
        assertEquals(0x90, r(FR));
        assertEquals(0, clock.now(), "no time needed: the UART has no latency");
    }
}
