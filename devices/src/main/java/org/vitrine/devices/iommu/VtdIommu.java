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

import static org.vitrine.devices.iommu.VtdTables.*;

/**
 * An Intel VT-d DMA-remapping hardware unit (Intel VT for Directed I/O Architecture
 * Specification), legacy translation mode, on Vitrine's virt board with {@code --iommu vtd}: a
 * Vitrine extension (QEMU's virt has no VT-d), at an address the board chooses.
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>One 4 KiB register page (offsets as the spec's register layout; the IOTLB registers at
 *       0x100 per ECAP.IRO, four fault recording registers at 0x220 per CAP.FRO/NFR).</li>
 *   <li>Two wired, edge-triggered interrupts, pulsed: the fault event and the invalidation
 *       completion event. On x86 both are MSIs; the board has no MSI controller, so FEDATA/FEADDR
 *       and IEDATA/IEADDR are stored and the events go to the wires (masks and pending bits as
 *       the spec says).</li>
 *   <li>A {@link #port DMA port} per source ID (bus:devfn; the board gives virtio slot n bus 0,
 *       devfn n).</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * After reset translation is disabled (GSTS.TES 0) and DMA passes through, as on hardware and
 * QEMU. GCMD's SRTP, TE and QIE with their GSTS bits; root and context tables, pass-through
 * (ECAP.PT) and second-level tables ({@link VtdTables}); a context cache per source ID and the
 * shared {@link Iotlb} tagged by domain ID, kept until invalidated; the fault recording registers
 * (F, T, FR, SID, FI; overflow through FSTS.PFO; PPF and FRI) with the fault event (FECTL.IM/IP);
 * fault processing disable (FPD). Register-based invalidation through CCMD and the IOTLB register
 * (completes at once, refused while queued invalidation is on). Queued invalidation: IQA (base,
 * QS; DW=1 is refused with IQE as 256-bit descriptors are not supported), IQH/IQT with the index
 * in [18:4], descriptors executed one at a time in virtual time ({@link CommandPump},
 * {@link #DEFAULT_COMMAND_NANOS}); context-cache (global, domain, device), IOTLB (global, domain,
 * page-selective with AM up to MAMV) and wait descriptors (SW status write, IF completion event via
 * ICS.IWC and IECTL, FN; any combination, including SW with IF and none at all, is legal). A
 * descriptor of another type, with reserved bits set, or a queue outside RAM, or a tail beyond the
 * queue, sets FSTS.IQE and raises the fault event; IQH stays on the bad descriptor until software
 * clears IQE.
 *
 * <h2>Not modelled</h2>
 * Scalable mode (RTADDR.TTM must be 0), first-level and nested translation, device-IOTLBs, interrupt
 * remapping, PASIDs, page-request queues, protected memory regions, advanced fault logging, the
 * write-buffer flush (CAP.RWBF 0). Their registers are declared and logged as unimplemented.
 */
public final class VtdIommu extends Iommu {
    public static final long SIZE = 0x1000;
    /** Default time one queued descriptor takes: 1 µs (see {@link Smmuv3#DEFAULT_COMMAND_NANOS} for the source). */
    public static final long DEFAULT_COMMAND_NANOS = 1_000;

    static final int FRCD_OFFSET = 0x220, FRCD_COUNT = 4, IOTLB_OFFSET = 0x100, MAMV = 18;
    static final long CAP = 6L /* ND: 16-bit domain IDs */ | (long) SAGAW << 8 | 47L << 16 /* MGAW */ | (long) (FRCD_OFFSET / 16) << 24
            | 1L << 34 /* SLLPS: 2 MiB */ | 1L << 39 /* PSI */ | (long) (FRCD_COUNT - 1) << 40 | (long) MAMV << 48;
    static final long ECAP = 1 /* C */ | 1 << 1 /* QI */ | 1 << 6 /* PT */ | (long) (IOTLB_OFFSET / 16) << 8;

    static final Field GCMD_TE = Field.bit("TE", 31), GCMD_SRTP = Field.bit("SRTP", 30), GCMD_QIE = Field.bit("QIE", 26),
            GCMD_SFL_EAFL_WBF = Field.bits("SFL_EAFL_WBF", 29, 27).unimplemented("fault log and write-buffer flush not modelled"),
            GCMD_IRE_SIRTP_CFI = Field.bits("IRE_SIRTP_CFI", 25, 23).unimplemented("interrupt remapping not modelled");
    static final Field FSTS_PFO = Field.bit("PFO", 0), FSTS_PPF = Field.bit("PPF", 1), FSTS_IQE = Field.bit("IQE", 4),
            FSTS_ICE = Field.bit("ICE", 5), FSTS_ITE = Field.bit("ITE", 6), FSTS_FRI = Field.bits("FRI", 15, 8);
    static final Field IM = Field.bit("IM", 31), IP = Field.bit("IP", 30);
    static final Field ICS_IWC = Field.bit("IWC", 0);
    static final Field IQA_IQA = Field.bits("IQA", 63, 12), IQA_DW = Field.bit("DW", 11), IQA_QS = Field.bits("QS", 2, 0);
    static final Field RTADDR_RTA = Field.bits("RTA", 63, 12), RTADDR_TTM = Field.bits("TTM", 11, 10).unimplemented("scalable mode not modelled");
    static final Field QI_INDEX = Field.bits("QH", 18, 4);
    static final long CCMD_ICC = 1L << 63, IOTLB_IVT = 1L << 63;

    static final int DESC_CONTEXT = 1, DESC_IOTLB = 2, DESC_WAIT = 5;
    static final long WAIT_IF = 1 << 4, WAIT_SW = 1 << 5, WAIT_FN = 1 << 6;

    // ---- State (plain fields, for save/restore) ---------------------------------------------------
    private final InterruptLine faultIrq, invalidationIrq;
    private final Map<Integer, Context> contexts = new HashMap<>();
    private int gsts, fsts, fectl = (int) IM.mask(), iectl = (int) IM.mask(), ics;
    private long rtaddr, rootTable, iqa, iqh, iqt, ccmd, iotlbReg, iva;
    private final long[] frcdLo = new long[FRCD_COUNT], frcdHi = new long[FRCD_COUNT];
    private int nextFrcd;
    private long waitsCompleted;

    public VtdIommu(PhysicalMemory ram, EventQueue clock, GuestLog log, long commandLatencyCycles, InterruptLine faultEvent,
                    InterruptLine invalidationEvent) {
        super(ram, clock, log, "vtd", commandLatencyCycles);
        this.faultIrq = faultEvent;
        this.invalidationIrq = invalidationEvent;
        this.regs = RegisterMap.builder(SIZE, this.log)
                .register("VER", 0x00).ro().reset(0x10)
                .register64("CAP", 0x08).ro().reset(CAP)
                .register64("ECAP", 0x10).ro().reset(ECAP)
                .register("GCMD", 0x18).wo().fields(GCMD_TE, GCMD_SRTP, GCMD_SFL_EAFL_WBF, GCMD_QIE, GCMD_IRE_SIRTP_CFI).write((i, v) -> writeGcmd((int) v))
                .register("GSTS", 0x1C).ro().read(i -> gsts)
                .register64("RTADDR", 0x20).fields(RTADDR_RTA, RTADDR_TTM).read(i -> rtaddr).write((i, v) -> rtaddr = v)
                .register64("CCMD", 0x28).read(i -> ccmd).write((i, v) -> writeCcmd(v))
                .register("FSTS", 0x34).read(i -> fsts).write((i, v) -> writeFsts((int) v))
                .register("FECTL", 0x38).fields(IM).read(i -> fectl).write((i, v) -> writeFectl((int) v))
                .register("FEDATA", 0x3C)
                .register("FEADDR", 0x40)
                .register("FEUADDR", 0x44)
                .register64("AFLOG", 0x58).unimplemented("advanced fault logging")
                .register("PMEN", 0x64).unimplemented("protected memory regions (CAP.PLMR/PHMR 0)")
                .register64("IQH", 0x80).ro().read(i -> iqh)
                .register64("IQT", 0x88).read(i -> iqt).write((i, v) -> writeIqt(v))
                .register64("IQA", 0x90).fields(IQA_IQA, IQA_DW, IQA_QS).read(i -> iqa).write((i, v) -> writeIqa(v))
                .register("ICS", 0x9C).fields(ICS_IWC).read(i -> ics).write((i, v) -> writeIcs((int) v))
                .register("IECTL", 0xA0).fields(IM).read(i -> iectl).write((i, v) -> writeIectl((int) v))
                .register("IEDATA", 0xA4)
                .register("IEADDR", 0xA8)
                .register("IEUADDR", 0xAC)
                .register64("IRTA", 0xB8).unimplemented("interrupt remapping (ECAP.IR 0)")
                .register64("IVA", IOTLB_OFFSET).read(i -> iva).write((i, v) -> iva = v)
                .register64("IOTLB", IOTLB_OFFSET + 8).read(i -> iotlbReg).write((i, v) -> writeIotlbReg(v))
                .array64("FRCD", FRCD_OFFSET, 2 * FRCD_COUNT).read(this::readFrcd).write(this::writeFrcd)
                .build();
    }

    @Override
    public String name() {
        return "vtd";
    }


    /** Wait descriptors completed (tests, benchmarks). */
    public long waitsCompleted() {
        return waitsCompleted;
    }

    // ---- Snapshot (the section itself is Iommu's) ---------------------------------------------------

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /**
     * Layout: i32 GSTS, FSTS, FECTL, IECTL, ICS; i64 RTADDR, the root table in use, IQA, IQH, IQT,
     * CCMD, IOTLB, IVA; longs FRCD low and high halves; i32 next FRCD; i64 waits completed; the
     * context cache (per source ID: i32 TT, bool FPD, i64 SLPTPTR, i32 levels, i32 domain ID).
     */
    @Override
    protected void saveModel(StateWriter out) {
        out.i32(gsts).i32(fsts).i32(fectl).i32(iectl).i32(ics);
        out.i64(rtaddr).i64(rootTable).i64(iqa).i64(iqh).i64(iqt).i64(ccmd).i64(iotlbReg).i64(iva);
        out.longs(frcdLo).longs(frcdHi).i32(nextFrcd).i64(waitsCompleted);
        saveCache(out, contexts, (w, c) -> w.i32(c.tt()).bool(c.faultsDisabled()).i64(c.slptptr()).i32(c.levels()).i32(c.domainId()));
    }

    @Override
    protected Runnable loadModel(StateReader in, int version) throws SnapshotException {
        int savedGsts = in.i32(), savedFsts = in.i32(), savedFectl = in.i32(), savedIectl = in.i32(), savedIcs = in.i32();
        long savedRtaddr = in.i64(), savedRoot = in.i64(), savedIqa = in.i64(), savedIqh = in.i64(), savedIqt = in.i64();
        if ((savedIqh & ~QI_INDEX.mask()) != 0 || (savedIqt & ~QI_INDEX.mask()) != 0) {
            throw in.bad(String.format("IQH 0x%x / IQT 0x%x hold bits beyond the queue index", savedIqh, savedIqt));
        }
        long savedCcmd = in.i64(), savedIotlb = in.i64(), savedIva = in.i64();
        long[] lo = in.longs(), hi = in.longs();
        if (lo == null || hi == null || lo.length != FRCD_COUNT || hi.length != FRCD_COUNT) throw in.bad("not " + FRCD_COUNT + " fault recording registers");
        int savedNext = in.i32("the next fault recording register", 0, FRCD_COUNT - 1);
        long savedWaits = in.i64("waits completed", 0, Long.MAX_VALUE);
        Map<Integer, Context> savedContexts = loadCache(in, "the context cache", r -> new Context(r.i32("a context's TT", 0, 2), r.bool(), r.i64(),
                r.i32("a context's levels", 2, 9), r.i32("a context's domain ID", 0, 0xFFFF)));
        return () -> {
            gsts = savedGsts;
            fsts = savedFsts;
            fectl = savedFectl;
            iectl = savedIectl;
            ics = savedIcs;
            rtaddr = savedRtaddr;
            rootTable = savedRoot;
            iqa = savedIqa;
            iqh = savedIqh;
            iqt = savedIqt;
            ccmd = savedCcmd;
            iotlbReg = savedIotlb;
            iva = savedIva;
            System.arraycopy(lo, 0, frcdLo, 0, FRCD_COUNT);
            System.arraycopy(hi, 0, frcdHi, 0, FRCD_COUNT);
            nextFrcd = savedNext;
            waitsCompleted = savedWaits;
            contexts.clear();
            contexts.putAll(savedContexts);
        };
    }

    // ---- Global command ----------------------------------------------------------------------------

    private void writeGcmd(int v) {
        if (GCMD_SRTP.isSet(v)) {
            if (RTADDR_TTM.get(rtaddr) != 0) log.guestError("RTADDR.TTM %d: only legacy mode (0) is modelled", RTADDR_TTM.get(rtaddr));
            rootTable = rtaddr & RTADDR_RTA.mask();
            contexts.clear();
            gsts |= 1 << 30; // RTPS
        }
        gsts = (int) GCMD_TE.insert(gsts, GCMD_TE.get(v));
        boolean qie = GCMD_QIE.isSet(v);
        if (qie != GCMD_QIE.isSet(gsts)) {
            gsts = (int) GCMD_QIE.insert(gsts, qie ? 1 : 0);
            if (qie) {
                iqh = 0;
                pump.kick();
            } else {
                pump.cancel();
            }
        }
    }

    // ---- Faults ------------------------------------------------------------------------------------

    private Context context(int sid) throws IommuFault {
        Context c = contexts.get(sid);
        if (c == null) {
            c = VtdTables.context(this::readEntry, rootTable, sid, true);
            contexts.put(sid, c);
        }
        return c;
    }

    @Override
    protected boolean translating(int sid) throws IommuFault {
        if (!GCMD_TE.isSet(gsts)) return false;
        return !context(sid).passthrough();
    }

    @Override
    protected PageWalk walk(int sid, long iova) throws IommuFault {
        return VtdTables.walk(this::readEntry, context(sid), iova);
    }

    @Override
    protected void recordFault(int sid, long iova, boolean write, IommuFault fault) {
        int reason = fault.code() != 0 ? fault.code() : write ? FR_WRITE : FR_READ;
        log.guestError("source %02x:%02x.%d: %s of IOVA 0x%x faulted (reason 0x%x): %s", sid >> 8, sid >> 3 & 0x1F, sid & 7,
                write ? "write" : "read", iova, reason, fault.getMessage());
        Context c = contexts.get(sid);
        if (c != null && c.faultsDisabled()) return; // FPD
        if (FSTS_PFO.isSet(fsts)) return;
        int i = nextFrcd;
        if (frcdHi[i] < 0) { // F already set: no free recording register
            fsts |= (int) FSTS_PFO.mask();
            faultEvent();
            return;
        }
        frcdLo[i] = iova & ~0xFFFL;
        frcdHi[i] = 1L << 63 | (write ? 0 : 1L << 62) | (long) reason << 32 | (sid & 0xFFFF);
        if (!FSTS_PPF.isSet(fsts)) fsts = (int) FSTS_FRI.insert(fsts, i);
        fsts |= (int) FSTS_PPF.mask();
        nextFrcd = (i + 1) % FRCD_COUNT;
        faultEvent();
    }

    /** The fault event: IP set, and the interrupt unless masked (delivered when unmasked). */
    private void faultEvent() {
        if (IP.isSet(fectl)) return;
        fectl |= (int) IP.mask();
        if (!IM.isSet(fectl)) {
            faultIrq.pulse();
            fectl &= (int) ~IP.mask();
        }
    }

    private long readFrcd(int index) {
        return (index & 1) == 0 ? frcdLo[index / 2] : frcdHi[index / 2];
    }

    private void writeFrcd(int index, long v) {
        if ((index & 1) == 1 && v < 0) { // F is RW1C
            frcdHi[index / 2] &= Long.MAX_VALUE;
            boolean any = false;
            for (long h : frcdHi) any |= h < 0;
            if (!any) fsts &= (int) ~FSTS_PPF.mask();
        }
    }

    private void writeFsts(int v) {
        int w1c = v & (int) (FSTS_PFO.mask() | FSTS_IQE.mask() | FSTS_ICE.mask() | FSTS_ITE.mask());
        boolean iqeCleared = (w1c & FSTS_IQE.mask()) != 0 && FSTS_IQE.isSet(fsts);
        fsts &= ~w1c;
        if (iqeCleared) pump.kick();
    }

    private void writeFectl(int v) {
        fectl = (int) IM.insert(fectl, IM.get(v));
        if (!IM.isSet(fectl) && IP.isSet(fectl)) {
            fectl &= (int) ~IP.mask();
            faultIrq.pulse();
        }
    }

    // ---- Register-based invalidation ---------------------------------------------------------------

    private boolean registerInvalidationRefused(String what) {
        if (!GCMD_QIE.isSet(gsts)) return false;
        log.guestError("%s written while queued invalidation is enabled: ignored", what);
        return true;
    }

    private void writeCcmd(long v) {
        if ((v & CCMD_ICC) == 0) {
            ccmd = v;
            return;
        }
        if (registerInvalidationRefused("CCMD")) return;
        int g = (int) (v >>> 61 & 3);
        invalidateContexts(g, (int) (v & 0xFFFF), (int) (v >>> 16 & 0xFFFF));
        ccmd = (v & ~CCMD_ICC & ~(3L << 59)) | (long) g << 59; // done; CAIG = CIRG
    }

    private void writeIotlbReg(long v) {
        if ((v & IOTLB_IVT) == 0) {
            iotlbReg = v;
            return;
        }
        if (registerInvalidationRefused("IOTLB")) return;
        int g = (int) (v >>> 60 & 3);
        invalidateIotlb(g, (int) (v >>> 32 & 0xFFFF), iva & ~0xFFFL, (int) (iva & 0x3F));
        iotlbReg = (v & ~IOTLB_IVT & ~(3L << 57)) | (long) g << 57; // IAIG = IIRG
    }

    private boolean invalidateContexts(int granularity, int did, int sid) {
        switch (granularity) {
            case 1 -> contexts.clear();
            case 2 -> contexts.values().removeIf(c -> c.domainId() == did);
            case 3 -> contexts.remove(sid);
            default -> {
                return false;
            }
        }
        return true;
    }

    private boolean invalidateIotlb(int granularity, int did, long address, int am) {
        switch (granularity) {
            case 1 -> iotlb.invalidateAll();
            case 2 -> iotlb.invalidate((dev, tag, page) -> tag == did);
            case 3 -> {
                if (am > MAMV) return false;
                long first = address & -(0x1000L << am), end = first + (0x1000L << am);
                iotlb.invalidate((dev, tag, page) -> tag == did && page >= first && page < end);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---- Queued invalidation -----------------------------------------------------------------------

    private long queueEntries() {
        return 1L << (IQA_QS.get(iqa) + 8);
    }

    private void writeIqa(long v) {
        if (GCMD_QIE.isSet(gsts)) {
            log.guestError("IQA written while queued invalidation is enabled: ignored");
            return;
        }
        iqa = v;
    }

    private void writeIqt(long v) {
        iqt = v & QI_INDEX.mask();
        pump.kick();
    }

    private void writeIcs(int v) {
        if (ICS_IWC.isSet(v)) ics &= (int) ~ICS_IWC.mask();
    }

    private void writeIectl(int v) {
        iectl = (int) IM.insert(iectl, IM.get(v));
        if (!IM.isSet(iectl) && IP.isSet(iectl)) {
            iectl &= (int) ~IP.mask();
            invalidationIrq.pulse();
        }
    }

    @Override
    protected boolean commandPending() {
        return GCMD_QIE.isSet(gsts) && !FSTS_IQE.isSet(fsts) && iqh != iqt;
    }

    private void queueError(String format, Object... args) {
        log.guestError(format, args);
        fsts |= (int) FSTS_IQE.mask();
        faultEvent();
    }

    @Override
    protected void executeCommand() {
        long head = QI_INDEX.get(iqh), tail = QI_INDEX.get(iqt);
        if (IQA_DW.isSet(iqa)) {
            queueError("IQA.DW 1: 256-bit descriptors are not supported (ECAP.SMTS 0)");
            return;
        }
        if (tail >= queueEntries()) {
            queueError("IQT index %d is beyond the %d-entry queue", tail, queueEntries());
            return;
        }
        long at = (iqa & IQA_IQA.mask()) + 16 * head;
        long lo, hi;
        try {
            lo = ram.read64(at);
            hi = ram.read64(at + 8);
        } catch (PhysicalMemory.BadAddressException e) {
            queueError("invalidation descriptor at 0x%x is outside RAM", at);
            return;
        }
        String bad = execute(lo, hi);
        if (bad != null) {
            queueError("invalidation descriptor 0x%016x_%016x at index %d: %s", hi, lo, head, bad);
            return;
        }
        iqh = QI_INDEX.of((head + 1) % queueEntries());
    }

    /** Executes one descriptor; returns why it is invalid, or null. */
    private String execute(long lo, long hi) {
        int type = (int) (lo & 0xF);
        int g = (int) (lo >>> 4 & 3);
        int did = (int) (lo >>> 16 & 0xFFFF);
        switch (type) {
            case DESC_CONTEXT -> {
                if ((lo & ~(0x3_FFFF_FFFF_003FL)) != 0 || hi != 0) return "reserved bits set in a context-cache descriptor";
                if (!invalidateContexts(g, did, (int) (lo >>> 32 & 0xFFFF))) return "context-cache granularity 0";
            }
            case DESC_IOTLB -> {
                if ((lo & ~0xFFFF_00FFL) != 0 || (hi & 0xF80L) != 0) return "reserved bits set in an IOTLB descriptor";
                if (!invalidateIotlb(g, did, hi & ~0xFFFL, (int) (hi & 0x3F))) return g == 0 ? "IOTLB granularity 0" : "AM above MAMV " + MAMV;
            }
            case DESC_WAIT -> {
                if ((lo & 0xFFFF_FF00L) != 0 || (hi & 3) != 0) return "reserved bits set in a wait descriptor";
                completeWait(lo, hi);
            }
            default -> {
                return "descriptor type " + type + " not supported";
            }
        }
        return null;
    }

    /** A wait descriptor completes (every earlier descriptor has): status write, then the event. */
    private void completeWait(long lo, long hi) {
        waitsCompleted++;
        if ((lo & WAIT_SW) != 0) {
            try {
                ram.write32(hi, (int) (lo >>> 32));
            } catch (PhysicalMemory.BadAddressException e) {
                log.guestError("wait descriptor status address 0x%x is outside RAM", hi);
            }
        }
        if ((lo & WAIT_IF) != 0 && !ICS_IWC.isSet(ics)) {
            ics |= (int) ICS_IWC.mask();
            iectl |= (int) IP.mask();
            if (!IM.isSet(iectl)) {
                iectl &= (int) ~IP.mask();
                invalidationIrq.pulse();
            }
        }
    }
}
