package org.vitrine.devices.iommu;

import java.util.HashMap;
import java.util.Map;

import org.vitrine.devices.regs.Field;
import org.vitrine.devices.regs.RegisterMap;
import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.time.EventQueue;

import static org.vitrine.devices.iommu.AmdViTables.*;

/**
 * An AMD-Vi IOMMU (AMD I/O Virtualization Technology (IOMMU) Specification, pub. 48882) on
 * Vitrine's virt board with {@code --iommu amdvi}: a Vitrine extension (QEMU's virt has none), at
 * an address the board chooses.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>MMIO window of {@value #SIZE} bytes (the spec's register layout: bases and control at
 *       0x0000..0x0030, head/tail pointers and status at 0x2000..0x2020).</li>
 *   <li>One wired, edge-triggered interrupt, pulsed for the event log (EventIntEn) and for
 *       COMPLETION_WAIT (ComWaitIntEn); on x86 it is an MSI, which this board does not have.</li>
 *   <li>A {@link #port DMA port} per DeviceID (the board gives virtio slot n DeviceID n).</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * After reset IommuEn is 0 and DMA passes through. The device table (V/TV/Mode/root/IR/IW,
 * DomainID; V or TV clear: untranslated), I/O page tables ({@link AmdViTables}); a DTE cache and
 * the shared {@link Iotlb} tagged by DomainID, kept until invalidated. Faults are written to the
 * event log (IO_PAGE_FAULT with PR/RW/PE flags, ILLEGAL_DEV_TABLE_ENTRY, DEV_TAB/PAGE_TAB
 * hardware errors), with EventOverflow when full and EventLogInt plus the interrupt when enabled.
 *
 * <p>The command buffer: head and tail are byte offsets ([18:4]), writing the base resets both;
 * commands executed one at a time in virtual time ({@link CommandPump},
 * {@link #DEFAULT_COMMAND_NANOS}): COMPLETION_WAIT (store of the 64-bit data, ComWaitInt and the
 * interrupt when ComWaitIntEn), INVALIDATE_DEVTAB_ENTRY, INVALIDATE_IOMMU_PAGES (one page, or with
 * S the size-encoded range: the lowest zero bit of the address at or above bit 12 gives the size,
 * so an all-ones address means the whole domain), INVALIDATE_INTERRUPT_TABLE (accepted: no
 * interrupt remapping, nothing cached), INVALIDATE_IOMMU_ALL (EFR.IASup). Any other opcode,
 * reserved bits set, or a command outside RAM is an ILLEGAL_COMMAND_ERROR (or
 * COMMAND_HARDWARE_ERROR) event with the command's address; the IOMMU then stops fetching
 * (CmdBufRun clears, head stays on the command) until software turns CmdBufEn off and on again.
 * A tail written past the end of the buffer is a guest error and ignored.
 *
 * <h2>Not modelled</h2>
 * Exclusion ranges, device IOTLBs (INVALIDATE_IOTLB_PAGES is illegal: no ATS), PPR, guest
 * translation, interrupt remapping, the performance counters, NextLevel-7 page sizes. Their
 * registers are declared as unimplemented.
 */
public final class AmdViIommu extends Iommu {
    public static final long SIZE = 0x4000;
    /** Default time one command takes: 1 µs (see {@link Smmuv3#DEFAULT_COMMAND_NANOS} for the source). */
    public static final long DEFAULT_COMMAND_NANOS = 1_000;

    static final Field BASE_ADDR = Field.bits("Base", 51, 12), DEVTAB_SIZE = Field.bits("Size", 8, 0), LEN = Field.bits("Len", 59, 56);
    static final Field CTL_IOMMU_EN = Field.bit("IommuEn", 0), CTL_EVTLOG_EN = Field.bit("EventLogEn", 2), CTL_EVTINT_EN = Field.bit("EventIntEn", 3),
            CTL_COMWAITINT_EN = Field.bit("ComWaitIntEn", 4), CTL_CMDBUF_EN = Field.bit("CmdBufEn", 12),
            CTL_OTHER_LOW = Field.bit("HtTunEn", 1).unimplemented("HyperTransport tunnel"),
            CTL_TIMEOUT_COHERENT = Field.bits("InvTimeOut_PassPW_ResPassPW_Coherent_Isoc", 11, 5).unimplemented("transaction attributes not modelled"),
            CTL_PPR_GT = Field.bits("PPR_GT_GA", 31, 13).unimplemented("PPR and guest translation not modelled");
    static final Field STATUS_EVT_OVERFLOW = Field.bit("EventOverflow", 0), STATUS_EVTLOG_INT = Field.bit("EventLogInt", 1),
            STATUS_COMWAIT_INT = Field.bit("ComWaitInt", 2), STATUS_EVTLOG_RUN = Field.bit("EventLogRun", 3), STATUS_CMDBUF_RUN = Field.bit("CmdBufRun", 4);
    static final Field POINTER = Field.bits("Pointer", 18, 4);
    /** Extended features: IASup (INVALIDATE_IOMMU_ALL). */
    static final long EFR = 1L << 6;

    static final int CMD_COMPLETION_WAIT = 1, CMD_INV_DEVTAB_ENTRY = 2, CMD_INV_IOMMU_PAGES = 3, CMD_INV_IOTLB_PAGES = 4,
            CMD_INV_INTERRUPT_TABLE = 5, CMD_INV_IOMMU_ALL = 8;
    static final long CW_S = 1, CW_I = 2, CW_F = 4;

    // ---- State (plain fields, for save/restore) ---------------------------------------------------
    private final InterruptLine irq;
    private final Map<Integer, Dte> dtes = new HashMap<>();
    private long devtabBase, cmdBase, evtBase, control;
    private long cmdHead, cmdTail, evtHead, evtTail;
    private int status;
    private boolean cmdHalted;
    private long waitsCompleted;

    public AmdViIommu(PhysicalMemory ram, EventQueue clock, GuestLog log, long commandLatencyCycles, InterruptLine irq) {
        super(ram, clock, log, "amdvi", commandLatencyCycles);
        this.irq = irq;
        this.regs = RegisterMap.builder(SIZE, this.log)
                .register64("DevTableBase", 0x0000).fields(BASE_ADDR, DEVTAB_SIZE).read(i -> devtabBase).write((i, v) -> { devtabBase = v; dtes.clear(); })
                .register64("CmdBufBase", 0x0008).fields(BASE_ADDR, LEN).read(i -> cmdBase).write((i, v) -> writeCmdBase(v))
                .register64("EventLogBase", 0x0010).fields(BASE_ADDR, LEN).read(i -> evtBase).write((i, v) -> { evtBase = v; evtHead = evtTail = 0; })
                .register64("Control", 0x0018).fields(CTL_IOMMU_EN, CTL_OTHER_LOW, CTL_EVTLOG_EN, CTL_EVTINT_EN, CTL_COMWAITINT_EN,
                        CTL_TIMEOUT_COHERENT, CTL_CMDBUF_EN, CTL_PPR_GT).read(i -> control).write((i, v) -> writeControl(v))
                .register64("ExclusionBase", 0x0020).unimplemented("exclusion range")
                .register64("ExclusionLimit", 0x0028).unimplemented("exclusion range")
                .register64("ExtendedFeature", 0x0030).ro().reset(EFR)
                .register64("CmdBufHead", 0x2000).fields(POINTER).read(i -> cmdHead).write((i, v) -> writeCmdPointer(true, v))
                .register64("CmdBufTail", 0x2008).fields(POINTER).read(i -> cmdTail).write((i, v) -> writeCmdPointer(false, v))
                .register64("EventLogHead", 0x2010).fields(POINTER).read(i -> evtHead).write((i, v) -> evtHead = v % bytes(evtBase))
                .register64("EventLogTail", 0x2018).fields(POINTER).read(i -> evtTail).write((i, v) -> evtTail = v % bytes(evtBase))
                .register64("Status", 0x2020).read(i -> status()).write((i, v) -> writeStatus(v))
                .build();
    }

    @Override
    public String name() {
        return "amdvi";
    }


    public long waitsCompleted() {
        return waitsCompleted;
    }

    // ---- Snapshot (the section itself is Iommu's) ---------------------------------------------------

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /**
     * Layout: i64 DevTableBase, CmdBufBase, EventLogBase, Control, command head and tail, event
     * head and tail; i32 Status; bool halted on a bad command; i64 waits completed; the DTE cache
     * (per DeviceID: bool translate, i32 Mode, i64 root, bool IR, bool IW, i32 DomainID).
     */
    @Override
    protected void saveModel(StateWriter out) {
        out.i64(devtabBase).i64(cmdBase).i64(evtBase).i64(control).i64(cmdHead).i64(cmdTail).i64(evtHead).i64(evtTail);
        out.i32(status).bool(cmdHalted).i64(waitsCompleted);
        saveCache(out, dtes, (w, d) -> w.bool(d.translate()).i32(d.mode()).i64(d.root()).bool(d.ir()).bool(d.iw()).i32(d.domainId()));
    }

    @Override
    protected Runnable loadModel(StateReader in, int version) throws SnapshotException {
        long savedDevtab = in.i64(), savedCmdBase = in.i64(), savedEvtBase = in.i64(), savedControl = in.i64();
        long savedCmdHead = in.i64(), savedCmdTail = in.i64(), savedEvtHead = in.i64(), savedEvtTail = in.i64();
        for (long p : new long[] {savedCmdHead, savedCmdTail}) {
            if (p < 0 || p >= bytes(savedCmdBase) || (p & 0xF) != 0) throw in.bad(String.format("command buffer pointer 0x%x is not an entry of the buffer", p));
        }
        for (long p : new long[] {savedEvtHead, savedEvtTail}) {
            if (p >= bytes(savedEvtBase)) throw in.bad(String.format("event log pointer 0x%x is past the end of the log", p));
        }
        int savedStatus = in.i32();
        boolean savedHalted = in.bool();
        long savedWaits = in.i64("waits completed", 0, Long.MAX_VALUE);
        Map<Integer, Dte> savedDtes = loadCache(in, "the DTE cache", r -> new Dte(r.bool(), r.i32("a DTE's Mode", 0, 6), r.i64(), r.bool(), r.bool(),
                r.i32("a DTE's DomainID", 0, 0xFFFF)));
        return () -> {
            devtabBase = savedDevtab;
            cmdBase = savedCmdBase;
            evtBase = savedEvtBase;
            control = savedControl;
            cmdHead = savedCmdHead;
            cmdTail = savedCmdTail;
            evtHead = savedEvtHead;
            evtTail = savedEvtTail;
            status = savedStatus;
            cmdHalted = savedHalted;
            waitsCompleted = savedWaits;
            dtes.clear();
            dtes.putAll(savedDtes);
        };
    }

    /** Bytes of a command buffer or event log (2^Len 16-byte entries; Len below 8 is reserved and read as 8). */
    private static long bytes(long base) {
        return 16L << Math.max(8, LEN.get(base));
    }

    private int status() {
        boolean en = CTL_IOMMU_EN.isSet(control);
        return status | (int) STATUS_CMDBUF_RUN.of(en && CTL_CMDBUF_EN.isSet(control) && !cmdHalted ? 1 : 0)
                | (int) STATUS_EVTLOG_RUN.of(en && CTL_EVTLOG_EN.isSet(control) ? 1 : 0);
    }

    private void writeStatus(long v) {
        status &= (int) ~(v & (STATUS_EVT_OVERFLOW.mask() | STATUS_EVTLOG_INT.mask() | STATUS_COMWAIT_INT.mask()));
    }

    private void writeControl(long v) {
        boolean wasRunning = CTL_CMDBUF_EN.isSet(control);
        control = v;
        if (!wasRunning && CTL_CMDBUF_EN.isSet(v)) cmdHalted = false; // restarting after an error
        if (CTL_IOMMU_EN.isSet(v) && CTL_CMDBUF_EN.isSet(v)) pump.kick();
        else pump.cancel();
    }

    private void writeCmdBase(long v) {
        if (LEN.get(v) < 8) log.guestError("CmdBufBase.ComLen %d is reserved (at least 8): 256 entries used", LEN.get(v));
        cmdBase = v;
        cmdHead = cmdTail = 0; // as QEMU: a new buffer starts empty
    }

    private void writeCmdPointer(boolean head, long v) {
        long p = v & POINTER.mask();
        if (p >= bytes(cmdBase)) {
            log.guestError("command buffer %s 0x%x is past the end of the 0x%x-byte buffer: ignored", head ? "head" : "tail", p, bytes(cmdBase));
            return;
        }
        if (head) cmdHead = p;
        else cmdTail = p;
        pump.kick();
    }

    // ---- Translation -------------------------------------------------------------------------------

    private Dte dte(int id) throws IommuFault {
        Dte d = dtes.get(id);
        if (d == null) {
            d = AmdViTables.dte(this::readEntry, devtabBase & BASE_ADDR.mask(), (DEVTAB_SIZE.get(devtabBase) + 1) * 4096 / DTE_BYTES, id);
            dtes.put(id, d);
        }
        return d;
    }

    @Override
    protected boolean translating(int id) throws IommuFault {
        return CTL_IOMMU_EN.isSet(control) && dte(id).translate();
    }

    @Override
    protected PageWalk walk(int id, long iova) throws IommuFault {
        return AmdViTables.walk(this::readEntry, dte(id), iova);
    }

    @Override
    protected void recordFault(int id, long iova, boolean write, IommuFault fault) {
        int code = fault.code() != 0 ? fault.code() : EVENT_IO_PAGE_FAULT;
        log.guestError("DeviceID 0x%x: %s of IOVA 0x%x faulted (event %d): %s", id, write ? "write" : "read", iova, code, fault.getMessage());
        Dte d = dtes.get(id);
        int flags = 0;
        if (code == EVENT_IO_PAGE_FAULT) {
            boolean permission = fault.kind() == IommuFault.Kind.PERMISSION;
            flags = (permission ? 1 << 4 | 1 << 6 : 0) | (write ? 1 << 5 : 0); // PR, RW, PE (flags [27:16] of dword 1)
        }
        long address = code == EVENT_DEV_TAB_HW_ERROR || code == EVENT_PAGE_TAB_HW_ERROR ? fault.entryAddress() : iova;
        writeEvent(code, (id & 0xFFFF) | (long) (d == null ? 0 : d.domainId()) << 32 | (long) flags << 48, address);
    }

    /** Appends a 16-byte event (code in bits [63:60] of the first quadword) to the event log. */
    void writeEvent(int code, long first, long second) {
        if (!CTL_IOMMU_EN.isSet(control) || !CTL_EVTLOG_EN.isSet(control)) return;
        long size = bytes(evtBase);
        if ((evtTail + 16) % size == evtHead) {
            status |= (int) STATUS_EVT_OVERFLOW.mask();
            return;
        }
        long at = (evtBase & BASE_ADDR.mask()) + evtTail;
        try {
            ram.write64(at, first | (long) code << 60);
            ram.write64(at + 8, second);
        } catch (PhysicalMemory.BadAddressException e) {
            log.guestError("event log entry at 0x%x is outside RAM", at);
            return;
        }
        evtTail = (evtTail + 16) % size;
        status |= (int) STATUS_EVTLOG_INT.mask();
        if (CTL_EVTINT_EN.isSet(control)) irq.pulse();
    }

    // ---- Command buffer ----------------------------------------------------------------------------

    @Override
    protected boolean commandPending() {
        return CTL_IOMMU_EN.isSet(control) && CTL_CMDBUF_EN.isSet(control) && !cmdHalted && cmdHead != cmdTail;
    }

    @Override
    protected void executeCommand() {
        long at = (cmdBase & BASE_ADDR.mask()) + cmdHead;
        long q0, q1;
        try {
            q0 = ram.read64(at);
            q1 = ram.read64(at + 8);
        } catch (PhysicalMemory.BadAddressException e) {
            commandError(EVENT_COMMAND_HW_ERROR, at, "command at 0x%x is outside RAM", at);
            return;
        }
        String bad = execute(q0, q1);
        if (bad != null) {
            commandError(EVENT_ILLEGAL_COMMAND, at, "command 0x%016x_%016x at 0x%x: %s", q1, q0, at, bad);
            return;
        }
        cmdHead = (cmdHead + 16) % bytes(cmdBase);
    }

    private void commandError(int event, long at, String format, Object... args) {
        log.guestError(format, args);
        cmdHalted = true;
        writeEvent(event, 0, at);
    }

    /** Executes one command; returns why it is illegal, or null. */
    private String execute(long q0, long q1) {
        int op = (int) (q0 >>> 60);
        switch (op) {
            case CMD_COMPLETION_WAIT -> {
                if ((q0 & 0x0FF0_0000_0000_0000L) != 0) return "reserved bits set in COMPLETION_WAIT";
                completionWait(q0, q1);
            }
            case CMD_INV_DEVTAB_ENTRY -> {
                if ((q0 & 0x0FFF_FFFF_FFFF_0000L) != 0 || q1 != 0) return "reserved bits set in INVALIDATE_DEVTAB_ENTRY";
                dtes.remove((int) (q0 & 0xFFFF));
            }
            case CMD_INV_IOMMU_PAGES -> {
                if ((q0 & 0x0FFF_0000_FFF0_0000L) != 0 || (q1 & 0xFF8L) != 0) return "reserved bits set in INVALIDATE_IOMMU_PAGES";
                int domain = (int) (q0 >>> 32 & 0xFFFF);
                long[] range = pageRange(q1 & ~0xFFFL, (q1 & 1) != 0);
                iotlb.invalidate((dev, tag, page) -> tag == domain && (range[1] == 0 || Long.compareUnsigned(page - range[0], range[1]) < 0));
            }
            case CMD_INV_INTERRUPT_TABLE -> {
                if ((q0 & 0x0FFF_FFFF_FFFF_0000L) != 0 || q1 != 0) return "reserved bits set in INVALIDATE_INTERRUPT_TABLE";
            }
            case CMD_INV_IOMMU_ALL -> {
                if ((q0 & 0x0FFF_FFFF_FFFF_FFFFL) != 0 || q1 != 0) return "reserved bits set in INVALIDATE_IOMMU_ALL";
                dtes.clear();
                iotlb.invalidateAll();
            }
            case CMD_INV_IOTLB_PAGES -> {
                return "INVALIDATE_IOTLB_PAGES: no device IOTLBs (ATS) on this IOMMU";
            }
            default -> {
                return "opcode " + op + " not supported";
            }
        }
        return null;
    }

    /**
     * The range INVALIDATE_IOMMU_PAGES covers: {first page, length in bytes} (length 0 meaning
     * all of the address space). Without S one page; with S, the lowest zero bit of the address
     * at or above bit 12 gives the size: bit 12 clear is 8 KiB, bits 12 set and 13 clear 16 KiB...
     */
    static long[] pageRange(long address, boolean sized) {
        if (!sized) return new long[] {address, 0x1000};
        int ones = Long.numberOfTrailingZeros(~(address >>> 12));
        int bits = 12 + ones + 1;
        if (bits >= 64) return new long[] {0, 0};
        long size = 1L << bits;
        return new long[] {address & -size, size};
    }

    /** COMPLETION_WAIT: every earlier command has completed (they run in order); store and signal. */
    private void completionWait(long q0, long q1) {
        waitsCompleted++;
        if ((q0 & CW_S) != 0) {
            long address = q0 & 0x000F_FFFF_FFFF_FFF8L;
            try {
                ram.write64(address, q1);
            } catch (PhysicalMemory.BadAddressException e) {
                log.guestError("COMPLETION_WAIT store to 0x%x is outside RAM", address);
            }
        }
        if ((q0 & CW_I) != 0) {
            status |= (int) STATUS_COMWAIT_INT.mask();
            if (CTL_COMWAITINT_EN.isSet(control)) irq.pulse();
        }
    }
}
