package org.vitrine.devices.arm;

import java.util.function.IntConsumer;

import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.spi.MmioDevice;

/**
 * ARM PrimeCell UART (PL011), revision r1p4 (ARM DDI 0183), as QEMU's {@code -M virt} presents it
 * at 0x0900_0000.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>MMIO region of {@value #SIZE} bytes.</li>
 *   <li>One interrupt output (UARTINTR, the OR of all sources): level, high while
 *       {@code (UARTRIS & UARTIMSC) != 0}; virt wires it to SPI 1 = INTID 33.</li>
 *   <li>Transmit: every byte the guest writes to UARTDR goes to the {@link IntConsumer} given to
 *       the constructor (a value 0..255), immediately, on the emulation thread.</li>
 *   <li>Receive: the host calls {@link #receive(int)} / {@link #receive(byte[])} on the emulation
 *       thread; {@link #rxSpace()} says how many bytes fit before an overrun, and the listener set
 *       with {@link #setRxSpaceListener} runs when a guest read makes room (QEMU's
 *       {@code can_receive}/{@code accept_input} flow control).</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * UARTDR, UARTRSR/ECR (overrun status), UARTFR, the baud-rate and line-control registers (stored),
 * UARTCR, UARTIFLS (stored), UARTIMSC/RIS/MIS/ICR, UARTDMACR (stored), the identification
 * registers (PeriphID 0x11 0x10 0x14 0x00, PCellID 0x0D 0xF0 0x05 0xB1), a 16-entry receive FIFO
 * that becomes a 1-character holding register when UARTLCR_H.FEN is clear (changing FEN empties
 * it, as in QEMU), receive overrun (UARTRSR.OE, UARTRIS.OEIS; the byte is lost), and data loopback
 * (UARTCR.LBE: transmitted bytes also enter the receive FIFO and host input is ignored, as QEMU).
 *
 * <h2>Simplifications (all as QEMU 7.2 does them)</h2>
 * <ul>
 *   <li>Transmission is instantaneous: the transmit FIFO is always empty (UARTFR.TXFE = 1,
 *       TXFF = 0, BUSY = 0). UARTRIS.TXRIS is set by every UARTDR write and cleared by UARTICR;
 *       it is clear after reset.</li>
 *   <li>The receive interrupt level is one character whatever UARTIFLS says: RXRIS is set when
 *       a character arrives in an empty FIFO and cleared when a read empties it (or by UARTICR).
 *       Because of that the receive timeout interrupt (RTRIS) is never needed and never set.
 *       A write of a non-reset value to UARTIFLS is logged once as unimplemented.</li>
 *   <li>UARTCR.UARTEN/TXE do not gate transmission (QEMU transmits regardless; rost and many
 *       bare-metal programs write UARTDR without enabling the UART). A write while disabled is
 *       logged once as a guest error per UARTCR value. UARTCR.RXE/UARTEN do not gate reception.</li>
 *   <li>No wire, so no framing: parity, stop bits, baud rate and word length have no effect
 *       (a word length other than 8 bits and UARTLCR_H.BRK are logged as unimplemented); framing,
 *       parity and break errors never occur. The modem lines are absent: UARTFR.CTS/DSR/DCD/RI
 *       read 0 and the modem status interrupts never fire. IrDA (UARTCR.SIREN), DMA
 *       (UARTDMACR) and the test registers are logged as unimplemented.</li>
 * </ul>
 *
 * <h2>Access sizes</h2>
 * Registers are 32 bits. An aligned byte or halfword access to a register offset acts on the low
 * bits of the register (what the APB bridge does, and what QEMU does: bare-metal code often stores
 * bytes to UARTDR). A misaligned or 8-byte access is logged as a guest error and ignored.
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class Pl011 implements MmioDevice {
    public static final long SIZE = 0x1000;
    /** Receive FIFO depth of the r1p4 PL011 (and QEMU). */
    public static final int FIFO_DEPTH = 16;

    // ---- Register map -------------------------------------------------------------------------

    private enum Access { RW, RO, WO, UNIMPLEMENTED }

    private enum Reg {
        DR(0x000, 0x004, Access.RW),
        /** UARTRSR on read, UARTECR on write. */
        RSR_ECR(0x004, 0x008, Access.RW),
        FR(0x018, 0x01C, Access.RO),
        ILPR(0x020, 0x024, Access.RW),
        IBRD(0x024, 0x028, Access.RW),
        FBRD(0x028, 0x02C, Access.RW),
        LCR_H(0x02C, 0x030, Access.RW),
        CR(0x030, 0x034, Access.RW),
        IFLS(0x034, 0x038, Access.RW),
        IMSC(0x038, 0x03C, Access.RW),
        RIS(0x03C, 0x040, Access.RO),
        MIS(0x040, 0x044, Access.RO),
        ICR(0x044, 0x048, Access.WO),
        DMACR(0x048, 0x04C, Access.RW),
        /** UARTITCR, UARTITIP, UARTITOP, UARTTDR: integration test registers. */
        TEST(0x080, 0x090, Access.UNIMPLEMENTED),
        /** UARTPeriphID0..3, UARTPCellID0..3. */
        ID(0xFE0, 0x1000, Access.RO);

        final int start;
        final int end;
        final Access access;

        Reg(int start, int end, Access access) {
            this.start = start;
            this.end = end;
            this.access = access;
        }
    }

    private static final Reg[] BY_WORD = new Reg[(int) (SIZE / 4)];

    static {
        for (Reg r : Reg.values()) {
            for (int o = r.start; o < r.end; o += 4) BY_WORD[o >> 2] = r;
        }
    }

    // UARTDR / UARTRSR error bits (DR[11:8] = RSR[3:0]).
    private static final int DR_DATA_MASK = 0xFF;
    private static final int RSR_OE = 1 << 3;
    private static final int RSR_MASK = 0xF;

    // UARTFR.
    private static final int FR_CTS = 1 << 0;
    private static final int FR_BUSY = 1 << 3;
    private static final int FR_RXFE = 1 << 4;
    private static final int FR_TXFF = 1 << 5;
    private static final int FR_RXFF = 1 << 6;
    private static final int FR_TXFE = 1 << 7;

    // UARTLCR_H.
    private static final int LCR_H_BRK = 1 << 0;
    private static final int LCR_H_FEN = 1 << 4;
    private static final int LCR_H_WLEN_SHIFT = 5;
    private static final int LCR_H_WLEN_8 = 3;
    private static final int LCR_H_MASK = 0xFF;

    // UARTCR.
    private static final int CR_UARTEN = 1 << 0;
    private static final int CR_SIREN = 1 << 1;
    private static final int CR_LBE = 1 << 7;
    private static final int CR_TXE = 1 << 8;
    private static final int CR_RXE = 1 << 9;
    /** UARTEN, SIREN, SIRLP, LBE, TXE, RXE, DTR, RTS, Out1, Out2, RTSEn, CTSEn. */
    private static final int CR_MASK = 0xFF87;
    private static final int CR_RESET = CR_TXE | CR_RXE;

    private static final int IFLS_MASK = 0x3F;
    /** TX and RX at 1/2 full. */
    private static final int IFLS_RESET = 0x12;

    // Interrupt bits of UARTIMSC/RIS/MIS/ICR.
    private static final int INT_RX = 1 << 4;
    private static final int INT_TX = 1 << 5;
    private static final int INT_RT = 1 << 6;
    private static final int INT_OE = 1 << 10;
    private static final int INT_MASK = 0x7FF;

    private static final int ILPR_MASK = 0xFF;
    private static final int IBRD_MASK = 0xFFFF;
    private static final int FBRD_MASK = 0x3F;
    /** RXDMAE, TXDMAE, DMAONERR. */
    private static final int DMACR_MASK = 0x7;
    private static final int DMACR_ENABLES = 0x3;

    /** UARTPeriphID0..3, UARTPCellID0..3 at 0xFE0..0xFFC. */
    private static final int[] ID_VALUES = {0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

    /** Characters that raise RXRIS: always one (see class comment). */
    private static final int RX_TRIGGER = 1;

    // ---- State --------------------------------------------------------------------------------

    private final IntConsumer txSink;
    private final InterruptLine irq;
    private final GuestLog.Source log;
    private Runnable rxSpaceListener = () -> { };

    private final int[] rxFifo = new int[FIFO_DEPTH];
    private int rxHead;
    private int rxCount;

    private int rsr;
    private int ilpr;
    private int ibrd;
    private int fbrd;
    private int lcrH;
    private int cr;
    private int ifls;
    private int imsc;
    private int ris;
    private int dmacr;

    private boolean irqLevel;
    private boolean warnedDisabledTx;
    private boolean warnedIfls;

    /**
     * @param txSink receives each transmitted byte (0..255)
     * @param irq    the UARTINTR wire to the interrupt controller
     * @param log    the machine's guest log
     */
    public Pl011(IntConsumer txSink, InterruptLine irq, GuestLog log) {
        this.txSink = txSink;
        this.irq = irq;
        this.log = log.source(name());
        reset();
    }

    @Override
    public String name() {
        return "pl011";
    }

    @Override
    public long size() {
        return SIZE;
    }

    /** Register reset values (TRM table 3-1); the receive FIFO is emptied. */
    public void reset() {
        rxHead = 0;
        rxCount = 0;
        rsr = 0;
        ilpr = 0;
        ibrd = 0;
        fbrd = 0;
        lcrH = 0;
        cr = CR_RESET;
        ifls = IFLS_RESET;
        imsc = 0;
        ris = 0;
        dmacr = 0;
        warnedDisabledTx = false;
        updateIrq();
    }

    /** Runs whenever a guest read frees room in the receive FIFO. */
    public void setRxSpaceListener(Runnable listener) {
        rxSpaceListener = listener == null ? () -> { } : listener;
    }

    /** Bytes the receive FIFO can take before overrunning. */
    public int rxSpace() {
        return depth() - rxCount;
    }

    /** Delivers one byte (low 8 bits) from the host side of the line. */
    public void receive(int b) {
        // In loopback the receiver listens to the transmitter only.
        if ((cr & CR_LBE) != 0) return;
        pushRx(b & DR_DATA_MASK);
    }

    /** Delivers bytes from the host side of the line; bytes beyond {@link #rxSpace()} overrun. */
    public void receive(byte[] data) {
        for (byte b : data) receive(b & 0xFF);
    }

    /** Level of the interrupt output (for tests and the debugger view). */
    public boolean irqOutput() {
        return irqLevel;
    }

    private int depth() {
        return (lcrH & LCR_H_FEN) != 0 ? FIFO_DEPTH : 1;
    }

    private void pushRx(int entry) {
        if (rxCount >= depth()) {
            // The character is lost; the FIFO contents stay valid (TRM 3.3.2, UARTRSR.OE).
            rsr |= RSR_OE;
            ris |= INT_OE;
            updateIrq();
            return;
        }
        rxFifo[(rxHead + rxCount) % FIFO_DEPTH] = entry;
        rxCount++;
        if (rxCount == RX_TRIGGER) ris |= INT_RX;
        updateIrq();
    }

    private int popRx() {
        if (rxCount == 0) return 0; // Nothing received: the data field is not defined; read 0.
        int entry = rxFifo[rxHead];
        rxHead = (rxHead + 1) % FIFO_DEPTH;
        rxCount--;
        if (rxCount == RX_TRIGGER - 1) ris &= ~(INT_RX | INT_RT);
        // Break/framing/parity status follows the character just read; overrun is sticky.
        rsr = (rsr & RSR_OE) | ((entry >> 8) & (RSR_MASK & ~RSR_OE));
        updateIrq();
        rxSpaceListener.run();
        return entry;
    }

    private void emptyRxFifo() {
        rxHead = 0;
        rxCount = 0;
    }

    private void transmit(int value) {
        int b = value & DR_DATA_MASK;
        if ((cr & (CR_UARTEN | CR_TXE)) != (CR_UARTEN | CR_TXE) && !warnedDisabledTx) {
            // Real hardware would not send; QEMU sends anyway, and so do we (see class comment).
            warnedDisabledTx = true;
            log.guestError("UARTDR written while UARTCR (0x%x) has UARTEN or TXE clear; transmitting anyway", cr);
        }
        if ((cr & CR_LBE) != 0) pushRx(b);
        txSink.accept(b);
        ris |= INT_TX; // The byte left at once: the transmit FIFO is empty again.
        updateIrq();
    }

    private int flags() {
        // Transmission is instantaneous, so FR_TXFE is always set and FR_BUSY/FR_TXFF never are;
        // there are no modem lines, so FR_CTS/DSR/DCD/RI read 0 (QEMU 7.2 resets FR to 0x90 too).
        int fr = FR_TXFE;
        if (rxCount == 0) fr |= FR_RXFE;
        if (rxCount >= depth()) fr |= FR_RXFF;
        return fr;
    }

    private void updateIrq() {
        boolean level = (ris & imsc) != 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    // ---- MMIO ---------------------------------------------------------------------------------

    private Reg decode(String op, long offset, int size) {
        if (size != 1 && size != 2 && size != 4) {
            log.guestError("%d-byte %s at offset 0x%x ignored (32-bit registers)", size, op, offset);
            return null;
        }
        if (offset < 0 || offset + size > SIZE || (offset & 3) != 0) {
            log.guestError("misaligned or out-of-range %d-byte %s at offset 0x%x ignored", size, op, offset);
            return null;
        }
        Reg reg = BY_WORD[(int) offset >> 2];
        if (reg == null) {
            log.guestError("%s of reserved offset 0x%03x", op, offset);
        }
        return reg;
    }

    @Override
    public long read(long offset, int size) {
        Reg reg = decode("read", offset, size);
        if (reg == null) return 0;
        if (reg.access == Access.WO) {
            log.guestError("read of write-only UART%s", reg);
            return 0;
        }
        if (reg.access == Access.UNIMPLEMENTED) {
            log.unimplemented("integration test register at 0x%03x not modelled, reads as zero", offset);
            return 0;
        }
        int value = switch (reg) {
            case DR -> popRx();
            case RSR_ECR -> rsr;
            case FR -> flags();
            case ILPR -> ilpr;
            case IBRD -> ibrd;
            case FBRD -> fbrd;
            case LCR_H -> lcrH;
            case CR -> cr;
            case IFLS -> ifls;
            case IMSC -> imsc;
            case RIS -> ris;
            case MIS -> ris & imsc;
            case DMACR -> dmacr;
            case ID -> ID_VALUES[(int) (offset - Reg.ID.start) >> 2];
            case ICR, TEST -> 0; // Handled by access type above.
        };
        return value & (size == 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1);
    }

    @Override
    public void write(long offset, int size, long value) {
        Reg reg = decode("write", offset, size);
        if (reg == null) return;
        if (reg.access == Access.RO) {
            log.guestError("write of 0x%x to read-only UART%s", value, reg);
            return;
        }
        if (reg.access == Access.UNIMPLEMENTED) {
            log.unimplemented("integration test register at 0x%03x not modelled, write ignored", offset);
            return;
        }
        int v = (int) (value & (size == 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1));
        switch (reg) {
            case DR -> transmit(v);
            case RSR_ECR -> rsr = 0; // Any write clears the error status.
            case ILPR -> ilpr = v & ILPR_MASK;
            case IBRD -> ibrd = v & IBRD_MASK;
            case FBRD -> fbrd = v & FBRD_MASK;
            case LCR_H -> writeLcrH(v & LCR_H_MASK);
            case CR -> writeCr(v & CR_MASK);
            case IFLS -> {
                ifls = v & IFLS_MASK;
                if (ifls != IFLS_RESET && !warnedIfls) {
                    warnedIfls = true;
                    log.unimplemented("UARTIFLS 0x%02x: FIFO trigger levels not modelled, RX interrupts at 1 character", ifls);
                }
            }
            case IMSC -> {
                imsc = v & INT_MASK;
                updateIrq();
            }
            case ICR -> {
                ris &= ~(v & INT_MASK);
                updateIrq();
            }
            case DMACR -> {
                dmacr = v & DMACR_MASK;
                if ((dmacr & DMACR_ENABLES) != 0) log.unimplemented("DMA (UARTDMACR 0x%x) not modelled", dmacr);
            }
            case FR, RIS, MIS, ID, TEST -> { } // Handled by access type above.
        }
    }

    private void writeLcrH(int v) {
        if (((lcrH ^ v) & LCR_H_FEN) != 0) {
            // Switching between FIFO and holding-register mode starts from empty, as QEMU does.
            emptyRxFifo();
            rxSpaceListener.run();
        }
        if ((v & LCR_H_BRK) != 0 && (lcrH & LCR_H_BRK) == 0) {
            log.unimplemented("UARTLCR_H.BRK: break condition not sent to the host");
        }
        int wlen = (v >>> LCR_H_WLEN_SHIFT) & 3;
        if (wlen != LCR_H_WLEN_8 && ((lcrH >>> LCR_H_WLEN_SHIFT) & 3) != wlen) {
            log.unimplemented("UARTLCR_H.WLEN %d bits: bytes are sent whole", wlen + 5);
        }
        lcrH = v;
    }

    private void writeCr(int v) {
        if ((v & CR_SIREN) != 0 && (cr & CR_SIREN) == 0) {
            log.unimplemented("UARTCR.SIREN: IrDA SIR not modelled");
        }
        if (v != cr) warnedDisabledTx = false;
        cr = v;
    }
}
