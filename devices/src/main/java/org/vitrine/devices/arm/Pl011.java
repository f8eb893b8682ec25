package org.vitrine.devices.arm;

import java.util.function.IntConsumer;

import org.vitrine.devices.regs.Field;
import org.vitrine.devices.regs.NarrowAccess;
import org.vitrine.devices.regs.RegisterMap;
import org.vitrine.devices.regs.RegisterMap.Placement;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
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
 *       A write that changes UARTIFLS to a value other than its reset value is logged as
 *       unimplemented.</li>
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
 * Registers are 32 bits, declared in a {@link RegisterMap} whose policy answers bad accesses. An
 * aligned byte or halfword access to a register offset acts on the low bits of the register (what
 * the APB bridge does, and what QEMU does: bare-metal code often stores bytes to UARTDR). A
 * misaligned or 8-byte access is logged as a guest error and ignored.
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class Pl011 implements MmioDevice, Snapshottable {
    public static final long SIZE = 0x1000;
    /** Receive FIFO depth of the r1p4 PL011 (and QEMU). */
    public static final int FIFO_DEPTH = 16;

    // ---- Register fields (the registers are declared in the constructor) ----------------------

    // UARTDR: the character, and the receive status of that character (UARTRSR[3:0] = DR[11:8]).
    private static final Field DR_DATA = Field.bits("DATA", 7, 0);
    private static final Field DR_FE = Field.bit("FE", 8);
    private static final Field DR_PE = Field.bit("PE", 9);
    private static final Field DR_BE = Field.bit("BE", 10);
    private static final Field DR_OE = Field.bit("OE", 11);

    // UARTRSR / UARTECR.
    private static final Field RSR_FE = Field.bit("FE", 0);
    private static final Field RSR_PE = Field.bit("PE", 1);
    private static final Field RSR_BE = Field.bit("BE", 2);
    private static final Field RSR_OE = Field.bit("OE", 3);
    private static final int RSR_OVERRUN = (int) RSR_OE.mask();
    private static final int RSR_STATUS = (int) Field.maskOf(RSR_FE, RSR_PE, RSR_BE, RSR_OE);

    // UARTFR. CTS, DSR, DCD and RI always read 0: there are no modem lines.
    private static final Field FR_CTS = Field.bit("CTS", 0);
    private static final Field FR_DSR = Field.bit("DSR", 1);
    private static final Field FR_DCD = Field.bit("DCD", 2);
    private static final Field FR_BUSY = Field.bit("BUSY", 3);
    private static final Field FR_RXFE = Field.bit("RXFE", 4);
    private static final Field FR_TXFF = Field.bit("TXFF", 5);
    private static final Field FR_RXFF = Field.bit("RXFF", 6);
    private static final Field FR_TXFE = Field.bit("TXFE", 7);
    private static final Field FR_RI = Field.bit("RI", 8);

    // Stored only: no wire, so no baud rate.
    private static final Field ILPDVSR = Field.bits("ILPDVSR", 7, 0);
    private static final Field BAUDDIVINT = Field.bits("BAUDDIVINT", 15, 0);
    private static final Field BAUDDIVFRAC = Field.bits("BAUDDIVFRAC", 5, 0);

    // UARTLCR_H.
    private static final Field LCR_H_BRK = Field.bit("BRK", 0).unimplemented("break condition not sent to the host");
    private static final Field LCR_H_PEN = Field.bit("PEN", 1);
    private static final Field LCR_H_EPS = Field.bit("EPS", 2);
    private static final Field LCR_H_STP2 = Field.bit("STP2", 3);
    private static final Field LCR_H_FEN = Field.bit("FEN", 4);
    /** Word length 5 + WLEN bits; the model sends whole bytes, as for WLEN 3. */
    private static final Field LCR_H_WLEN = Field.bits("WLEN", 6, 5).unimplemented("bytes are sent whole", 3);
    private static final Field LCR_H_SPS = Field.bit("SPS", 7);

    // UARTCR.
    private static final Field CR_UARTEN = Field.bit("UARTEN", 0);
    private static final Field CR_SIREN = Field.bit("SIREN", 1).unimplemented("IrDA SIR not modelled");
    private static final Field CR_SIRLP = Field.bit("SIRLP", 2);
    private static final Field CR_LBE = Field.bit("LBE", 7);
    private static final Field CR_TXE = Field.bit("TXE", 8);
    private static final Field CR_RXE = Field.bit("RXE", 9);
    private static final Field CR_DTR = Field.bit("DTR", 10);
    private static final Field CR_RTS = Field.bit("RTS", 11);
    private static final Field CR_OUT1 = Field.bit("Out1", 12);
    private static final Field CR_OUT2 = Field.bit("Out2", 13);
    private static final Field CR_RTSEN = Field.bit("RTSEn", 14);
    private static final Field CR_CTSEN = Field.bit("CTSEn", 15);
    private static final int CR_RESET = (int) (CR_TXE.mask() | CR_RXE.mask());
    private static final int CR_TX_ENABLED = (int) (CR_UARTEN.mask() | CR_TXE.mask());

    // UARTIFLS: stored; the receive interrupt fires at one character whatever they say.
    private static final String TRIGGER_LEVELS = "FIFO trigger levels not modelled, RX interrupts at 1 character";
    private static final Field IFLS_TX = Field.bits("TXIFLSEL", 2, 0).unimplemented(TRIGGER_LEVELS);
    private static final Field IFLS_RX = Field.bits("RXIFLSEL", 5, 3).unimplemented(TRIGGER_LEVELS);
    /** TX and RX at 1/2 full. */
    private static final int IFLS_RESET = 0x12;

    // The interrupt sources, one bit each in UARTIMSC, UARTRIS, UARTMIS and UARTICR.
    private static final Field IRQ_RX = Field.bit("RX", 4);
    private static final Field IRQ_TX = Field.bit("TX", 5);
    private static final Field IRQ_RT = Field.bit("RT", 6);
    private static final Field IRQ_OE = Field.bit("OE", 10);
    private static final Field[] INTERRUPTS = {
        Field.bit("RI", 0), Field.bit("CTS", 1), Field.bit("DCD", 2), Field.bit("DSR", 3), IRQ_RX, IRQ_TX, IRQ_RT,
        Field.bit("FE", 7), Field.bit("PE", 8), Field.bit("BE", 9), IRQ_OE,
    };
    private static final int INT_RX = (int) IRQ_RX.mask();
    private static final int INT_TX = (int) IRQ_TX.mask();
    private static final int INT_RT = (int) IRQ_RT.mask();
    private static final int INT_OE = (int) IRQ_OE.mask();

    // UARTDMACR: stored, DMA not modelled.
    private static final Field DMACR_RXDMAE = Field.bit("RXDMAE", 0).unimplemented("DMA not modelled");
    private static final Field DMACR_TXDMAE = Field.bit("TXDMAE", 1).unimplemented("DMA not modelled");
    private static final Field DMACR_DMAONERR = Field.bit("DMAONERR", 2);

    private static final String TEST_REGISTER = "integration test register";

    /** Characters that raise RXRIS: always one (see class comment). */
    private static final int RX_TRIGGER = 1;

    // ---- State --------------------------------------------------------------------------------

    private final IntConsumer txSink;
    private final PrimeCell.Interrupts interrupts;
    private final GuestLog.Source log;
    private Runnable rxSpaceListener = () -> { };

    private final int[] rxFifo = new int[FIFO_DEPTH];
    private int rxHead;
    private int rxCount;

    private final RegisterMap regs;
    private int rsr;
    private int lcrH;
    private int cr;

    private boolean warnedDisabledTx;

    /**
     * @param txSink receives each transmitted byte (0..255)
     * @param irq    the UARTINTR wire to the interrupt controller
     * @param log    the machine's guest log
     */
    public Pl011(IntConsumer txSink, InterruptLine irq, GuestLog log) {
        this.txSink = txSink;
        this.interrupts = new PrimeCell.Interrupts(irq);
        this.log = log.source(name());
        this.regs = RegisterMap.builder(SIZE, this.log)
                .narrowAccesses(NarrowAccess.ALLOWED, Placement.LOW_BITS)
                .register("UARTDR", 0x000).fields(DR_DATA, DR_FE, DR_PE, DR_BE, DR_OE)
                        .read(i -> popRx()).write((i, v) -> transmit((int) v))
                // UARTRSR on read, UARTECR on write: any write clears the error status.
                .register("UARTRSR/ECR", 0x004).fields(RSR_FE, RSR_PE, RSR_BE, RSR_OE)
                        .read(i -> rsr).write((i, v) -> rsr = 0)
                .register("UARTFR", 0x018).ro()
                        .fields(FR_CTS, FR_DSR, FR_DCD, FR_BUSY, FR_RXFE, FR_TXFF, FR_RXFF, FR_TXFE, FR_RI).read(i -> flags())
                .register("UARTILPR", 0x020).fields(ILPDVSR)
                .register("UARTIBRD", 0x024).fields(BAUDDIVINT)
                .register("UARTFBRD", 0x028).fields(BAUDDIVFRAC)
                .register("UARTLCR_H", 0x02C).fields(LCR_H_BRK, LCR_H_PEN, LCR_H_EPS, LCR_H_STP2, LCR_H_FEN, LCR_H_WLEN, LCR_H_SPS)
                        .read(i -> lcrH).write((i, v) -> writeLcrH((int) v))
                .register("UARTCR", 0x030).reset(CR_RESET)
                        .fields(CR_UARTEN, CR_SIREN, CR_SIRLP, CR_LBE, CR_TXE, CR_RXE, CR_DTR, CR_RTS, CR_OUT1, CR_OUT2, CR_RTSEN, CR_CTSEN)
                        .read(i -> cr).write((i, v) -> writeCr((int) v))
                .register("UARTIFLS", 0x034).fields(IFLS_TX, IFLS_RX).reset(IFLS_RESET)
                .register("UARTIMSC", 0x038).fields(INTERRUPTS).read(i -> interrupts.mask()).write((i, v) -> interrupts.setMask((int) v))
                .register("UARTRIS", 0x03C).ro().fields(INTERRUPTS).read(i -> interrupts.raw())
                .register("UARTMIS", 0x040).ro().fields(INTERRUPTS).read(i -> interrupts.masked())
                .register("UARTICR", 0x044).wo().fields(INTERRUPTS).write((i, v) -> interrupts.clear((int) v))
                .register("UARTDMACR", 0x048).fields(DMACR_RXDMAE, DMACR_TXDMAE, DMACR_DMAONERR)
                .register("UARTITCR", 0x080).unimplemented(TEST_REGISTER)
                .register("UARTITIP", 0x084).unimplemented(TEST_REGISTER)
                .register("UARTITOP", 0x088).unimplemented(TEST_REGISTER)
                .register("UARTTDR", 0x08C).unimplemented(TEST_REGISTER)
                .array("UARTPeriphID", 0xFE0, 4).ro().reset(0x11, 0x10, 0x14, 0x00)
                .array("UARTPCellID", 0xFF0, 4).ro().reset(PrimeCell.cellId())
                .build();
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
        regs.reset();
        rsr = 0;
        lcrH = 0;
        cr = CR_RESET;
        interrupts.reset();
        warnedDisabledTx = false;
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
        if (CR_LBE.isSet(cr)) return;
        pushRx((int) DR_DATA.get(b));
    }

    /** Delivers bytes from the host side of the line; bytes beyond {@link #rxSpace()} overrun. */
    public void receive(byte[] data) {
        for (byte b : data) receive(b & 0xFF);
    }

    /** Level of the interrupt output (for tests and the debugger view). */
    public boolean irqOutput() {
        return interrupts.level();
    }

    private int depth() {
        return LCR_H_FEN.isSet(lcrH) ? FIFO_DEPTH : 1;
    }

    private void pushRx(int entry) {
        if (rxCount >= depth()) {
            // The character is lost; the FIFO contents stay valid (TRM 3.3.2, UARTRSR.OE).
            rsr |= RSR_OVERRUN;
            interrupts.raise(INT_OE);
            return;
        }
        rxFifo[(rxHead + rxCount) % FIFO_DEPTH] = entry;
        rxCount++;
        if (rxCount == RX_TRIGGER) interrupts.raise(INT_RX);
    }

    private int popRx() {
        if (rxCount == 0) return 0; // Nothing received: the data field is not defined; read 0.
        int entry = rxFifo[rxHead];
        rxHead = (rxHead + 1) % FIFO_DEPTH;
        rxCount--;
        if (rxCount == RX_TRIGGER - 1) interrupts.clear(INT_RX | INT_RT);
        // Break/framing/parity status follows the character just read; overrun is sticky.
        rsr = (rsr & RSR_OVERRUN) | ((entry >> DR_FE.lsb()) & (RSR_STATUS & ~RSR_OVERRUN));
        rxSpaceListener.run();
        return entry;
    }

    private void emptyRxFifo() {
        rxHead = 0;
        rxCount = 0;
    }

    private void transmit(int value) {
        int b = (int) DR_DATA.get(value);
        if ((cr & CR_TX_ENABLED) != CR_TX_ENABLED && !warnedDisabledTx) {
            // Real hardware would not send; QEMU sends anyway, and so do we (see class comment).
            warnedDisabledTx = true;
            log.guestError("UARTDR written while UARTCR (0x%x) has UARTEN or TXE clear; transmitting anyway", cr);
        }
        if (CR_LBE.isSet(cr)) pushRx(b);
        txSink.accept(b);
        interrupts.raise(INT_TX); // The byte left at once: the transmit FIFO is empty again.
    }

    private long flags() {
        // Transmission is instantaneous, so FR_TXFE is always set and FR_BUSY/FR_TXFF never are;
        // there are no modem lines, so FR_CTS/DSR/DCD/RI read 0 (QEMU 7.2 resets FR to 0x90 too).
        long fr = FR_TXFE.mask();
        if (rxCount == 0) fr |= FR_RXFE.mask();
        if (rxCount >= depth()) fr |= FR_RXFF.mask();
        return fr;
    }

    // ---- MMIO ---------------------------------------------------------------------------------

    @Override
    public long read(long offset, int size) {
        return regs.read(offset, size);
    }

    @Override
    public void write(long offset, int size, long value) {
        regs.write(offset, size, value);
    }

    /** BRK and a word length other than 8 bits are reported by the register map (unimplemented fields). */
    private void writeLcrH(int v) {
        if (LCR_H_FEN.isSet(lcrH ^ v)) {
            // Switching between FIFO and holding-register mode starts from empty, as QEMU does.
            emptyRxFifo();
            rxSpaceListener.run();
        }
        lcrH = v;
    }

    /** SIREN is reported by the register map (an unimplemented field). */
    private void writeCr(int v) {
        if (v != cr) warnedDisabledTx = false;
        cr = v;
    }

    // ---- Snapshot -----------------------------------------------------------------------------

    @Override
    public String snapshotName() {
        return name();
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Layout: ints receive FIFO (16), i32 head, i32 count, i32 RSR, i32 LCR_H, i32 CR, interrupts, stored registers. */
    @Override
    public void save(StateWriter out) {
        out.ints(rxFifo).i32(rxHead).i32(rxCount).i32(rsr).i32(lcrH).i32(cr);
        interrupts.save(out);
        regs.save(out);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        int[] fifo = in.ints("the receive FIFO", FIFO_DEPTH);
        int head = in.i32("the FIFO head", 0, FIFO_DEPTH - 1);
        int count = in.i32("the FIFO count", 0, FIFO_DEPTH);
        int savedRsr = in.i32(), savedLcrH = in.i32(), savedCr = in.i32();
        Runnable irq = interrupts.load(in);
        Runnable stored = regs.load(in);
        return () -> {
            System.arraycopy(fifo, 0, rxFifo, 0, FIFO_DEPTH);
            rxHead = head;
            rxCount = count;
            rsr = savedRsr;
            lcrH = savedLcrH;
            cr = savedCr;
            irq.run();
            stored.run();
            rxSpaceListener.run();  // the console may send what waited for room
        };
    }
}
