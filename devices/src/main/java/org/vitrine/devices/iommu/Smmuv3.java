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

import static org.vitrine.devices.iommu.Smmuv3Tables.*;

/**
 * Arm System MMU v3 (IHI 0070), non-secure programming interface, stage 1 only, at QEMU virt's
 * address 0x0905_0000 when the board is started with {@code --iommu smmuv3}.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>MMIO region of {@value #SIZE} bytes: register page 0 and page 1 (EVTQ_PROD/CONS at
 *       0x100A8/0x100AC, as the architecture places them; QEMU aliases page 1 onto page 0).</li>
 *   <li>Four wired, edge-triggered interrupts, pulsed: eventq, priq (never raised: no PRI),
 *       cmdq-sync, gerror (virt: SPI 74..77).</li>
 *   <li>A {@link #port DMA port} per StreamID; the board gives each virtio transport its own.</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * After reset SMMUEN is 0 and GBPA.ABORT 0, so DMA bypasses untranslated (a guest without a
 * driver for it works as with no SMMU, as on QEMU). With SMMUEN: the stream table (linear and
 * 2-level), STEs (abort, bypass, stage-1 translate), one CD per stream, stage-1 AArch64 4 KiB
 * tables ({@link Smmuv3Tables}); a configuration cache (STE+CD per stream, dropped by CFGI_*)
 * and the shared {@link Iotlb} tagged by ASID (dropped by TLBI_*), both kept until invalidated.
 * Faults are written to the event queue (32-byte records with the event ID, StreamID, RnW and
 * input address), overflow toggling EVTQ_PROD.OVFLG, with the eventq interrupt when enabled.
 *
 * <p>The command queue: PROD/CONS with wrap bits, commands executed one at a time in virtual
 * time ({@link CommandPump}, {@link #DEFAULT_COMMAND_NANOS}); PREFETCH_CONFIG and PREFETCH_ADDR (accepted,
 * nothing to prefetch), CFGI_STE, CFGI_STE_RANGE (CFGI_ALL),
 * CFGI_CD, CFGI_CD_ALL, TLBI_NH_ALL, TLBI_NH_ASID, TLBI_NH_VA and TLBI_NH_VAA (with the range
 * form's NUM/SCALE, advertised by IDR3.RIL, so AIDR says SMMUv3.2: Linux then invalidates an unmapped
 * buffer with one command rather than one per page), TLBI_NSNH_ALL, CMD_SYNC with CS = NONE, IRQ
 * (the MSI write of MSIDATA to MSIADDR when MSIADDR is not 0, and the cmdq-sync wire) or SEV. Errors: an unknown or unsupported opcode
 * or non-zero reserved bits give CERROR_ILL, a command outside RAM CERROR_ABT; CONS.ERR is set,
 * GERROR.CMDQ_ERR toggled, gerror raised when enabled, and the queue stops at the bad command until
 * GERRORN acknowledges it.
 *
 * <h2>Not modelled</h2>
 * Stage 2 and nesting, substreams, ATS/PRI, stalls (their commands are CERROR_ILL as IDR0 does
 * not advertise them), the MSI forms of the eventq and gerror interrupts (their IRQ_CFG
 * registers store values), big-endian tables, SEV's effect on WFE (Unicorn treats WFE as a no-op;
 * SEVs are counted), the secure interface.
 */
public final class Smmuv3 extends Iommu {
    public static final long SIZE = 0x2_0000;
    /**
     * Default time one command takes: 1 µs. Order of magnitude of a single IOTLB invalidation on
     * Intel IOMMU hardware (about 2,000 CPU cycles) reported by Malka et al., "rIOMMU: Efficient
     * IOMMU for I/O Devices that Employ Ring Buffers", ASPLOS 2015; no published per-command
     * SMMUv3 figure was found, so the same order is used. Configurable ({@code --iommu-latency}).
     */
    public static final long DEFAULT_COMMAND_NANOS = 1_000;

    // ---- Fields ----------------------------------------------------------------------------------
    static final Field CR0_SMMUEN = Field.bit("SMMUEN", 0), CR0_PRIQEN = Field.bit("PRIQEN", 1).unimplemented("no PRI queue"),
            CR0_EVTQEN = Field.bit("EVTQEN", 2), CR0_CMDQEN = Field.bit("CMDQEN", 3), CR0_ATSCHK = Field.bit("ATSCHK", 4).unimplemented("no ATS");
    static final Field GBPA_ABORT = Field.bit("ABORT", 20), GBPA_UPDATE = Field.bit("Update", 31),
            GBPA_OTHER = Field.bits("MemAttr_SHCFG_ALLOCCFG", 19, 0).unimplemented("bypass attributes not modelled");
    static final Field IRQ_GERROR = Field.bit("GERROR_IRQEN", 0), IRQ_PRIQ = Field.bit("PRIQ_IRQEN", 1).unimplemented("no PRI queue"),
            IRQ_EVTQ = Field.bit("EVTQ_IRQEN", 2);
    static final Field GERROR_CMDQ = Field.bit("CMDQ_ERR", 0), GERROR_EVTQ_ABT = Field.bit("EVTQ_ABT_ERR", 2),
            GERROR_MSI_CMDQ_ABT = Field.bit("MSI_CMDQ_ABT_ERR", 4);
    static final Field Q_ADDR = Field.bits("ADDR", 51, 5), Q_LOG2SIZE = Field.bits("LOG2SIZE", 4, 0),
            Q_RA = Field.bit("RA", 62).unimplemented("allocation hints have no effect");
    static final Field CONS_ERR = Field.bits("ERR", 30, 24), PROD_OVFLG = Field.bit("OVFLG", 31);
    static final Field IDR0_S1P = Field.bit("S1P", 1), IDR0_TTF = Field.bits("TTF", 3, 2), IDR0_COHACC = Field.bit("COHACC", 4),
            IDR0_MSI = Field.bit("MSI", 13), IDR0_SEV = Field.bit("SEV", 14), IDR0_TTENDIAN = Field.bits("TTENDIAN", 22, 21),
            IDR0_STALL = Field.bits("STALL_MODEL", 25, 24), IDR0_ST_LEVEL = Field.bits("ST_LEVEL", 28, 27);
    static final Field IDR1_SIDSIZE = Field.bits("SIDSIZE", 5, 0), IDR1_EVTQS = Field.bits("EVTQS", 20, 16), IDR1_CMDQS = Field.bits("CMDQS", 25, 21);
    /** Range invalidation (SMMUv3.2): TLBI_NH_VA / NH_VAA with TG, NUM and SCALE cover many pages in one command. */
    static final Field IDR3_RIL = Field.bit("RIL", 10);
    static final Field AIDR_MINOR = Field.bits("ArchMinorRev", 3, 0);
    static final Field IDR5_OAS = Field.bits("OAS", 2, 0), IDR5_GRAN4K = Field.bit("GRAN4K", 4);

    /** Largest queue this SMMU supports (IDR1.CMDQS / EVTQS), and the StreamID width. */
    static final int MAX_QUEUE_LOG2 = 19, SID_BITS = 16;

    // ---- Commands (IHI 0070, 4) -----------------------------------------------------------------
    static final int CMD_PREFETCH_CONFIG = 0x01, CMD_PREFETCH_ADDR = 0x02, CMD_CFGI_STE = 0x03, CMD_CFGI_STE_RANGE = 0x04, CMD_CFGI_CD = 0x05, CMD_CFGI_CD_ALL = 0x06,
            CMD_TLBI_NH_ALL = 0x10, CMD_TLBI_NH_ASID = 0x11, CMD_TLBI_NH_VA = 0x12, CMD_TLBI_NH_VAA = 0x13,
            CMD_TLBI_NSNH_ALL = 0x30, CMD_SYNC = 0x46;
    static final int CERROR_NONE = 0, CERROR_ILL = 1, CERROR_ABT = 2;
    static final int CS_NONE = 0, CS_IRQ = 1, CS_SEV = 2;
    static final long OP = 0xFF, SID = 0xFFFF_FFFFL << 32, SSID = 0xFFFFFL << 12, SSV = 1L << 11, VMID = 0xFFFFL << 32, ASID = 0xFFFFL << 48,
            NUM = 0x1FL << 12, SCALE = 0x1FL << 20;
    static final long CMD_ENTRY_BYTES = 16, EVENT_BYTES = 32;

    // ---- State (plain fields, for save/restore) -------------------------------------------------
    private final InterruptLine eventqIrq, cmdqSyncIrq, gerrorIrq;
    /** Configuration cache: StreamID → what its STE and CD said when read. */
    private final Map<Integer, StreamConfig> configs = new HashMap<>();
    private int cr0, gerror, gerrorn, irqCtrl, gbpa;
    private long strtabBase, strtabCfg, cmdqBase, evtqBase;
    private int cmdqProd, cmdqCons, evtqProd, evtqCons;
    private long sevCount, syncCount;

    /**
     * @param irqs the eventq, priq, cmdq-sync and gerror wires, in that order (priq is never raised)
     */
    public Smmuv3(PhysicalMemory ram, EventQueue clock, GuestLog log, long commandLatencyCycles, InterruptLine eventq,
                  InterruptLine priq, InterruptLine cmdqSync, InterruptLine gerrorLine) {
        super(ram, clock, log, "smmuv3", commandLatencyCycles);
        this.eventqIrq = eventq;
        this.cmdqSyncIrq = cmdqSync;
        this.gerrorIrq = gerrorLine;
        this.regs = RegisterMap.builder(SIZE, this.log)
                .register("IDR0", 0x00).ro().reset(IDR0_S1P.of(1) | IDR0_TTF.of(2) | IDR0_COHACC.of(1) | IDR0_MSI.of(1) | IDR0_SEV.of(1)
                        | IDR0_TTENDIAN.of(2) | IDR0_STALL.of(1) | IDR0_ST_LEVEL.of(1))
                .register("IDR1", 0x04).ro().reset(IDR1_SIDSIZE.of(SID_BITS) | IDR1_EVTQS.of(MAX_QUEUE_LOG2) | IDR1_CMDQS.of(MAX_QUEUE_LOG2))
                .register("IDR2", 0x08).ro()
                .register("IDR3", 0x0C).ro().reset(IDR3_RIL.of(1))
                .register("IDR4", 0x10).ro()
                .register("IDR5", 0x14).ro().reset(IDR5_OAS.of(5) | IDR5_GRAN4K.of(1))
                .register("IIDR", 0x18).ro()
                .register("AIDR", 0x1C).ro().reset(AIDR_MINOR.of(2)) // SMMUv3.2, for IDR3.RIL
                .register("CR0", 0x20).fields(CR0_SMMUEN, CR0_PRIQEN, CR0_EVTQEN, CR0_CMDQEN, CR0_ATSCHK).read(i -> cr0).write((i, v) -> writeCr0((int) v))
                .register("CR0ACK", 0x24).ro().read(i -> cr0)
                .register("CR1", 0x28)
                .register("CR2", 0x2C)
                .register("STATUSR", 0x40).ro()
                .register("GBPA", 0x44).fields(GBPA_UPDATE, GBPA_ABORT, GBPA_OTHER).read(i -> gbpa)
                        .write((i, v) -> gbpa = (int) (v & ~GBPA_UPDATE.mask())) // the update completes at once
                .register("AGBPA", 0x48).unimplemented("implementation-defined bypass attributes")
                .register("IRQ_CTRL", 0x50).fields(IRQ_GERROR, IRQ_PRIQ, IRQ_EVTQ).read(i -> irqCtrl).write((i, v) -> irqCtrl = (int) v)
                .register("IRQ_CTRLACK", 0x54).ro().read(i -> irqCtrl)
                .register("GERROR", 0x60).ro().read(i -> gerror)
                .register("GERRORN", 0x64).read(i -> gerrorn).write((i, v) -> writeGerrorn((int) v))
                .register64("GERROR_IRQ_CFG0", 0x68)
                .register("GERROR_IRQ_CFG1", 0x70)
                .register("GERROR_IRQ_CFG2", 0x74)
                .register64("STRTAB_BASE", 0x80).read(i -> strtabBase).write((i, v) -> { strtabBase = v; configs.clear(); })
                .register("STRTAB_BASE_CFG", 0x88).fields(CFG_FMT, CFG_SPLIT, CFG_LOG2SIZE).read(i -> strtabCfg)
                        .write((i, v) -> { strtabCfg = v; configs.clear(); })
                .register64("CMDQ_BASE", 0x90).fields(Q_RA, Q_ADDR, Q_LOG2SIZE).read(i -> cmdqBase).write((i, v) -> writeQueueBase(true, v))
                .register("CMDQ_PROD", 0x98).read(i -> cmdqProd).write((i, v) -> writeCmdqProd((int) v))
                .register("CMDQ_CONS", 0x9C).read(i -> cmdqCons).write((i, v) -> writeCmdqCons((int) v))
                .register64("EVTQ_BASE", 0xA0).fields(Q_RA, Q_ADDR, Q_LOG2SIZE).read(i -> evtqBase).write((i, v) -> writeQueueBase(false, v))
                .register64("EVTQ_IRQ_CFG0", 0xB0)
                .register("EVTQ_IRQ_CFG1", 0xB8)
                .register("EVTQ_IRQ_CFG2", 0xBC)
                .register64("PRIQ_BASE", 0xC0).unimplemented("PRI queue (IDR0.PRI is 0)")
                .register("EVTQ_PROD", 0x100A8).read(i -> evtqProd).write((i, v) -> writeEvtqProd((int) v))
                .register("EVTQ_CONS", 0x100AC).read(i -> evtqCons).write((i, v) -> evtqCons = (int) v & queueMask(evtqBase))
                .register("PRIQ_PROD", 0x100C8).unimplemented("PRI queue (IDR0.PRI is 0)")
                .register("PRIQ_CONS", 0x100CC).unimplemented("PRI queue (IDR0.PRI is 0)")
                .build();
    }

    @Override
    public String name() {
        return "smmuv3";
    }


    /** CMD_SYNCs completed and SEVs sent (tests, benchmarks). */
    public long syncsCompleted() {
        return syncCount;
    }

    public long sevsSent() {
        return sevCount;
    }

    // ---- Snapshot (the section itself is Iommu's) ---------------------------------------------------

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /** Queue index bits PROD/CONS can hold at the largest queue (index and wrap). */
    private static final int INDEX_BITS = (1 << (MAX_QUEUE_LOG2 + 1)) - 1;

    /**
     * Layout: i32 CR0, GERROR, GERRORN, IRQ_CTRL, GBPA; i64 STRTAB_BASE, STRTAB_BASE_CFG, CMDQ_BASE,
     * EVTQ_BASE; i32 CMDQ_PROD, CMDQ_CONS, EVTQ_PROD, EVTQ_CONS; i64 SEVs, syncs; the configuration
     * cache (per StreamID: i32 Config, i64 TTB0, i32 T0SZ, bool EPD0, bool AFFD, i32 ASID).
     */
    @Override
    protected void saveModel(StateWriter out) {
        out.i32(cr0).i32(gerror).i32(gerrorn).i32(irqCtrl).i32(gbpa);
        out.i64(strtabBase).i64(strtabCfg).i64(cmdqBase).i64(evtqBase);
        out.i32(cmdqProd).i32(cmdqCons).i32(evtqProd).i32(evtqCons);
        out.i64(sevCount).i64(syncCount);
        saveCache(out, configs, (w, c) -> w.i32(c.config()).i64(c.ttb0()).i32(c.t0sz()).bool(c.epd0()).bool(c.affd()).i32(c.asid()));
    }

    @Override
    protected Runnable loadModel(StateReader in, int version) throws SnapshotException {
        int savedCr0 = in.i32(), savedGerror = in.i32(), savedGerrorn = in.i32(), savedIrqCtrl = in.i32(), savedGbpa = in.i32();
        long savedStrtab = in.i64(), savedStrtabCfg = in.i64(), savedCmdqBase = in.i64(), savedEvtqBase = in.i64();
        int savedCmdqProd = in.i32("CMDQ_PROD", 0, INDEX_BITS);
        int savedCmdqCons = in.i32();
        if ((savedCmdqCons & ~(INDEX_BITS | (int) CONS_ERR.mask())) != 0) throw in.bad(String.format("CMDQ_CONS 0x%x has bits no write sets", savedCmdqCons));
        int savedEvtqProd = in.i32();
        if ((savedEvtqProd & ~(INDEX_BITS | (int) PROD_OVFLG.mask())) != 0) throw in.bad(String.format("EVTQ_PROD 0x%x has bits no write sets", savedEvtqProd));
        int savedEvtqCons = in.i32("EVTQ_CONS", 0, INDEX_BITS);
        long savedSevs = in.i64("SEVs sent", 0, Long.MAX_VALUE), savedSyncs = in.i64("syncs completed", 0, Long.MAX_VALUE);
        Map<Integer, StreamConfig> savedConfigs = loadCache(in, "the configuration cache", r -> new StreamConfig(r.i32("an STE's Config", 0, 7),
                r.i64(), r.i32("a CD's T0SZ", 0, 63), r.bool(), r.bool(), r.i32("a CD's ASID", 0, 0xFFFF)));
        return () -> {
            cr0 = savedCr0;
            gerror = savedGerror;
            gerrorn = savedGerrorn;
            irqCtrl = savedIrqCtrl;
            gbpa = savedGbpa;
            strtabBase = savedStrtab;
            strtabCfg = savedStrtabCfg;
            cmdqBase = savedCmdqBase;
            evtqBase = savedEvtqBase;
            cmdqProd = savedCmdqProd;
            cmdqCons = savedCmdqCons;
            evtqProd = savedEvtqProd;
            evtqCons = savedEvtqCons;
            sevCount = savedSevs;
            syncCount = savedSyncs;
            configs.clear();
            configs.putAll(savedConfigs);
        };
    }

    // ---- Queue index arithmetic (IHI 0070, 3.5.1) ------------------------------------------------

    static int log2Size(long base) {
        return (int) Math.min(Q_LOG2SIZE.get(base), MAX_QUEUE_LOG2);
    }

    /** The bits of PROD/CONS that are index and wrap. */
    static int queueMask(long base) {
        return (1 << (log2Size(base) + 1)) - 1;
    }

    static int nextIndex(int value, long base) {
        return (value & ~queueMask(base)) | ((value + 1) & queueMask(base));
    }

    static boolean queueEmpty(int prod, int cons, long base) {
        return ((prod ^ cons) & queueMask(base)) == 0;
    }

    static boolean queueFull(int prod, int cons, long base) {
        int m = queueMask(base), index = m >>> 1;
        return ((prod ^ cons) & index) == 0 && ((prod ^ cons) & m) != 0;
    }

    private static long entryAddress(long base, int value, long bytes) {
        return (base & Q_ADDR.mask()) + ((value & (queueMask(base) >>> 1)) * bytes);
    }

    // ---- Registers with effects --------------------------------------------------------------------

    private void writeCr0(int v) {
        int old = cr0;
        cr0 = v;
        if (CR0_SMMUEN.isSet(v) != CR0_SMMUEN.isSet(old)) configs.clear();
        if (!CR0_CMDQEN.isSet(v)) pump.cancel();
        pump.kick();
    }

    private void writeQueueBase(boolean cmdq, long v) {
        Field enable = cmdq ? CR0_CMDQEN : CR0_EVTQEN;
        if (enable.isSet(cr0)) {
            log.guestError("%s_BASE written while the queue is enabled: ignored", cmdq ? "CMDQ" : "EVTQ");
            return;
        }
        if (Q_LOG2SIZE.get(v) > MAX_QUEUE_LOG2) {
            log.guestError("%s_BASE.LOG2SIZE %d exceeds IDR1's %d: treated as %d", cmdq ? "CMDQ" : "EVTQ", Q_LOG2SIZE.get(v), MAX_QUEUE_LOG2, MAX_QUEUE_LOG2);
        }
        if (cmdq) cmdqBase = v;
        else evtqBase = v;
    }

    private void writeCmdqProd(int v) {
        cmdqProd = v & queueMask(cmdqBase);
        pump.kick();
    }

    private void writeCmdqCons(int v) {
        if (CR0_CMDQEN.isSet(cr0)) {
            log.guestError("CMDQ_CONS written while the command queue is enabled: ignored");
            return;
        }
        cmdqCons = v & (queueMask(cmdqBase) | (int) CONS_ERR.mask());
    }

    private void writeEvtqProd(int v) {
        if (CR0_EVTQEN.isSet(cr0)) {
            log.guestError("EVTQ_PROD written while the event queue is enabled: ignored");
            return;
        }
        evtqProd = v & (queueMask(evtqBase) | (int) PROD_OVFLG.mask());
    }

    private void writeGerrorn(int v) {
        gerrorn = v;
        pump.kick(); // an acknowledged CMDQ_ERR lets the queue run again
    }

    private boolean cmdqErrorActive() {
        return ((gerror ^ gerrorn) & GERROR_CMDQ.mask()) != 0;
    }

    /** Toggles a GERROR bit (activating the error) unless it is already active, and interrupts. */
    private void raiseGlobalError(Field bit) {
        if (((gerror ^ gerrorn) & bit.mask()) != 0) return;
        gerror ^= (int) bit.mask();
        if (IRQ_GERROR.isSet(irqCtrl)) gerrorIrq.pulse();
    }

    // ---- Translation -------------------------------------------------------------------------------

    private final TableMemory memory = this::readEntry;

    private StreamConfig config(int sid) throws IommuFault {
        StreamConfig c = configs.get(sid);
        if (c == null) {
            c = streamConfig(memory, strtabBase, strtabCfg, sid);
            configs.put(sid, c);
        }
        return c;
    }

    @Override
    protected boolean translating(int sid) throws IommuFault {
        if (!CR0_SMMUEN.isSet(cr0)) {
            if (GBPA_ABORT.isSet(gbpa)) throw new IommuFault(IommuFault.Kind.CONFIG_ABSENT, -1, "SMMU disabled and GBPA.ABORT set");
            return false;
        }
        StreamConfig c = config(sid);
        if (c.abort()) throw new IommuFault(IommuFault.Kind.CONFIG_ABSENT, -1, "STE Config is abort");
        return !c.bypass();
    }

    @Override
    protected PageWalk walk(int sid, long iova) throws IommuFault {
        return Smmuv3Tables.walk(memory, config(sid), iova);
    }

    @Override
    protected void recordFault(int sid, long iova, boolean write, IommuFault fault) {
        int event = fault.code() != 0 ? fault.code() : switch (fault.kind()) {
            case PERMISSION -> F_PERMISSION;
            case CONFIG_ABSENT -> 0; // GBPA or STE abort: terminated without an event
            default -> F_TRANSLATION;
        };
        log.guestError("StreamID %d: %s of IOVA 0x%x faulted: %s", sid, write ? "write" : "read", iova, fault.getMessage());
        if (event == 0) return;
        long w0 = event | (long) sid << 32;
        long w1 = event >= F_TRANSLATION && event <= F_PERMISSION ? (write ? 0 : 1L << 35) : 0; // RnW
        boolean fetchAbort = event == F_STE_FETCH || event == F_CD_FETCH || event == F_WALK_EABT;
        long w3 = fetchAbort ? fault.entryAddress() & 0x000F_FFFF_FFFF_FFF8L : 0; // FETCH_ADDR; the IPA of stage-2 faults otherwise
        writeEvent(new long[] {w0, w1, iova, w3});
    }

    /** Appends a 32-byte record to the event queue, or sets the overflow flag when it is full. */
    void writeEvent(long[] record) {
        if (!CR0_EVTQEN.isSet(cr0)) return;
        if (queueFull(evtqProd, evtqCons, evtqBase)) {
            evtqProd ^= (int) PROD_OVFLG.mask();
            return;
        }
        long at = entryAddress(evtqBase, evtqProd, EVENT_BYTES);
        try {
            for (int i = 0; i < 4; i++) ram.write64(at + 8L * i, record[i]);
        } catch (PhysicalMemory.BadAddressException e) {
            log.guestError("event queue entry at 0x%x is outside RAM", at);
            raiseGlobalError(GERROR_EVTQ_ABT);
            return;
        }
        evtqProd = (evtqProd & (int) PROD_OVFLG.mask()) | (nextIndex(evtqProd, evtqBase) & queueMask(evtqBase));
        if (IRQ_EVTQ.isSet(irqCtrl)) eventqIrq.pulse();
    }

    // ---- Command queue -------------------------------------------------------------------------------

    @Override
    protected boolean commandPending() {
        return CR0_CMDQEN.isSet(cr0) && !cmdqErrorActive() && !queueEmpty(cmdqProd, cmdqCons, cmdqBase);
    }

    @Override
    protected void executeCommand() {
        long at = entryAddress(cmdqBase, cmdqCons, CMD_ENTRY_BYTES);
        long d0, d1;
        try {
            d0 = ram.read64(at);
            d1 = ram.read64(at + 8);
        } catch (PhysicalMemory.BadAddressException e) {
            commandError(CERROR_ABT, "command at 0x%x is outside RAM", at);
            return;
        }
        int error = execute(d0, d1);
        if (error != CERROR_NONE) {
            commandError(error, "command 0x%016x_%016x at 0x%x (opcode 0x%02x) is illegal", d1, d0, at, d0 & OP);
            return;
        }
        cmdqCons = (cmdqCons & ~queueMask(cmdqBase)) | (nextIndex(cmdqCons, cmdqBase) & queueMask(cmdqBase));
    }

    private void commandError(int error, String format, Object... args) {
        log.guestError(format, args);
        cmdqCons = (int) CONS_ERR.insert(cmdqCons, error);
        raiseGlobalError(GERROR_CMDQ);
    }

    /** Checks that no bit outside {@code used0}/{@code used1} is set. */
    private static boolean reservedClear(long d0, long d1, long used0, long used1) {
        return (d0 & ~(used0 | OP)) == 0 && (d1 & ~used1) == 0;
    }

    /** Executes one command; returns its CERROR code. */
    private int execute(long d0, long d1) {
        int op = (int) (d0 & OP);
        int sid = (int) (d0 >>> 32);
        int asid = (int) ((d0 & ASID) >>> 48);
        switch (op) {
            // Hints that the SMMU may load a configuration or translation early; Linux sends
            // PREFETCH_CONFIG after writing every STE. This model has nothing to prefetch.
            case CMD_PREFETCH_CONFIG -> {
                if (!reservedClear(d0, d1, SID | SSID | SSV, 0)) return CERROR_ILL;
            }
            case CMD_PREFETCH_ADDR -> {
                if (!reservedClear(d0, d1, SID | SSID | SSV | NUM | SCALE, ~0xFFFL | 0x3FF)) return CERROR_ILL;
            }
            case CMD_CFGI_STE -> {
                if (!reservedClear(d0, d1, SID, 1)) return CERROR_ILL;
                configs.remove(sid);
            }
            case CMD_CFGI_STE_RANGE -> {
                if (!reservedClear(d0, d1, SID, 0x1F)) return CERROR_ILL;
                int range = (int) (d1 & 0x1F);
                if (range == 31) {
                    configs.clear(); // CFGI_ALL
                } else {
                    long span = 1L << (range + 1);
                    long first = (sid & 0xFFFF_FFFFL) & ~(span - 1);
                    configs.keySet().removeIf(s -> (s & 0xFFFF_FFFFL) >= first && (s & 0xFFFF_FFFFL) < first + span);
                }
            }
            case CMD_CFGI_CD -> {
                if (!reservedClear(d0, d1, SID | SSID, 1)) return CERROR_ILL;
                configs.remove(sid);
            }
            case CMD_CFGI_CD_ALL -> {
                if (!reservedClear(d0, d1, SID, 0)) return CERROR_ILL;
                configs.remove(sid);
            }
            case CMD_TLBI_NH_ALL -> {
                if (!reservedClear(d0, d1, VMID, 0)) return CERROR_ILL;
                iotlb.invalidateAll();
            }
            case CMD_TLBI_NH_ASID -> {
                if (!reservedClear(d0, d1, VMID | ASID, 0)) return CERROR_ILL;
                iotlb.invalidate((dev, tag, page) -> tag == asid);
            }
            case CMD_TLBI_NH_VA, CMD_TLBI_NH_VAA -> {
                boolean anyAsid = op == CMD_TLBI_NH_VAA;
                if (!reservedClear(d0, d1, NUM | SCALE | VMID | (anyAsid ? 0 : ASID), ~0xFEL)) return CERROR_ILL;
                long va = d1 & ~0xFFFL;
                long pages = 1;
                int tg = (int) (d1 >>> 10 & 3);
                if (tg != 0) {
                    if (tg != 1) return CERROR_ILL; // only the 4 KiB granule
                    pages = ((d0 & NUM) >>> 12) + 1 << ((d0 & SCALE) >>> 20);
                }
                long end = va + pages * 0x1000;
                iotlb.invalidate((dev, tag, page) -> (anyAsid || tag == asid) && page >= va && page < end);
            }
            case CMD_TLBI_NSNH_ALL -> {
                if (!reservedClear(d0, d1, 0, 0)) return CERROR_ILL;
                iotlb.invalidateAll();
            }
            case CMD_SYNC -> {
                int cs = (int) (d0 >>> 12 & 3);
                if (cs == 3 || !reservedClear(d0, d1, 3L << 12 | 3L << 22 | 0xFL << 24 | 0xFFFF_FFFFL << 32, 0x000F_FFFF_FFFF_FFFCL)) {
                    return CERROR_ILL;
                }
                sync(cs, (int) (d0 >>> 32), d1 & 0x000F_FFFF_FFFF_FFFCL);
            }
            default -> {
                return CERROR_ILL;
            }
        }
        return CERROR_NONE;
    }

    /** CMD_SYNC completes: every earlier command has (commands run in order); signal as asked. */
    private void sync(int cs, int msiData, long msiAddress) {
        syncCount++;
        switch (cs) {
            case CS_IRQ -> {
                if (msiAddress != 0) {
                    try {
                        ram.write32(msiAddress, msiData);
                    } catch (PhysicalMemory.BadAddressException e) {
                        log.guestError("CMD_SYNC MSI write to 0x%x is outside RAM", msiAddress);
                        raiseGlobalError(GERROR_MSI_CMDQ_ABT);
                    }
                }
                cmdqSyncIrq.pulse();
            }
            case CS_SEV -> sevCount++;
            default -> { }
        }
    }
}
