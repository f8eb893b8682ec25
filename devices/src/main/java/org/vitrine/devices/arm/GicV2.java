package org.vitrine.devices.arm;

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
 * ARM Generic Interrupt Controller, architecture version 2 (ARM IHI 0048B), for a single CPU, as
 * QEMU's {@code -M virt} presents it ("arm,cortex-a15-gic", a GICv2 without the Security
 * Extensions).
 *
 * <h2>Interface</h2>
 * <ul>
 *   <li>{@link #distributor()}: the Distributor, an MMIO region of {@value #DISTRIBUTOR_SIZE}
 *       bytes (virt maps it at 0x0800_0000).</li>
 *   <li>{@link #cpuInterface()}: the CPU interface, an MMIO region of {@value #CPU_INTERFACE_SIZE}
 *       bytes (virt maps it at 0x0801_0000; GICC_DIR lives at 0x1000).</li>
 *   <li>Inputs: {@link #line(int)} gives the wire for a PPI (INTID 16..31) or an SPI (INTID
 *       32..{@value #NUM_IRQS}-1). A level-configured interrupt is pending while its wire is high
 *       (or while software set it pending); an edge-configured one latches pending on a rising
 *       edge.</li>
 *   <li>Output: the IRQ wire to the CPU given to the constructor. It is high exactly when the
 *       Distributor and the CPU interface are enabled for the group of the highest-priority
 *       pending, enabled, inactive interrupt, its priority is numerically lower than GICC_PMR,
 *       and its group priority (GICC_BPR/ABPR) is lower than the running priority. The wire is
 *       only driven when its level changes.</li>
 * </ul>
 *
 * <h2>Modelled</h2>
 * {@value #NUM_IRQS} interrupt IDs (GICD_TYPER.ITLinesNumber = 8, as QEMU virt), 8 priority bits
 * (256 levels, 128 preemption levels: minimum BPR 0, minimum ABPR 1, as QEMU), both interrupt
 * groups with GICD_CTLR/GICC_CTLR group enables, AckCtl (a Group 1 interrupt reads as 1022 from
 * GICC_IAR when AckCtl is clear), CBPR, EOImode (split priority drop / deactivation through
 * GICC_DIR), the active priority registers (GICC_APRn for Group 0, GICC_NSAPRn for Group 1, QEMU's
 * layout: bit n = group priority 2n), SGIs to this CPU through GICD_SGIR and
 * GICD_SPENDSGIRn/CPENDSGIRn, and the aliased Group 1 registers GICC_ABPR/AIAR/AEOIR/AHPPIR. SGIs
 * are permanently enabled and edge-triggered (GICD_ISENABLER0[15:0] RAO/WI, GICD_ICFGR0
 * read-only), as on the GIC-400 and in QEMU. ID registers read as QEMU's GICv2 values.
 *
 * <h2>Not modelled</h2>
 * <ul>
 *   <li>More than one CPU; SGIs aimed at other CPUs are dropped.</li>
 *   <li>The Security Extensions: there is one security state, every access behaves as a Secure
 *       access to a GIC with them would (the architecture's rule for a GIC without them);
 *       GICD_NSACRn are RAZ/WI.</li>
 *   <li>FIQ: there is no FIQ output. A Group 0 interrupt is always signalled as IRQ, even with
 *       GICC_CTLR.FIQEn set (that write is logged as unimplemented). The bypass-disable bits of
 *       GICC_CTLR are stored but have no effect (there is no legacy interrupt input to bypass).</li>
 *   <li>The virtualization extensions (GICH/GICV) and the GIC-400's implementation-defined status
 *       registers GICD_PPISR/SPISRn (logged as unimplemented, read as zero).</li>
 * </ul>
 *
 * <h2>Choices where QEMU and the hardware differ</h2>
 * <ul>
 *   <li>GICD_ITARGETSRn: a uniprocessor GIC makes them RAZ/WI (and so does QEMU). Vitrine reads
 *       0x01 for SGIs/PPIs and keeps SPI targets writable (bit 0 only, reset to 0x01 so a guest
 *       that never programs them gets its interrupts, as on QEMU); an SPI whose target is cleared
 *       is not forwarded.</li>
 *   <li>Accesses of the wrong size: the architecture allows bytes only on IPRIORITYR, ITARGETSR,
 *       CPENDSGIR and SPENDSGIR and words everywhere. A byte or halfword access to another
 *       Distributor register is logged as a guest error and then performed on the addressed
 *       bytes (QEMU's behaviour, so guests that work on QEMU work here), except on GICD_SGIR,
 *       where a partial write would send a different SGI: it is logged and ignored. On the CPU
 *       interface, where reads have side effects, it is logged and ignored (RAZ/WI). 8-byte and
 *       misaligned accesses are logged and ignored. The registers of interrupts beyond the
 *       {@value #NUM_IRQS} implemented are reserved offsets, logged and RAZ/WI.</li>
 *   <li>GICC_AIAR/AEOIR/AHPPIR are implemented (QEMU leaves them unimplemented).</li>
 * </ul>
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class GicV2 implements Snapshottable {
    public static final long DISTRIBUTOR_SIZE = 0x1000;
    public static final long CPU_INTERFACE_SIZE = 0x2000;

    /** Interrupt IDs implemented: 32 * (ITLinesNumber + 1). */
    public static final int NUM_IRQS = 288;
    public static final int SPURIOUS = 1023;
    /** What GICC_IAR/HPPIR return for a pending Group 1 interrupt when AckCtl is clear. */
    public static final int GROUP1_PENDING = 1022;

    private static final int NUM_SGIS = 16;
    private static final int NUM_INTERNAL = 32;
    private static final int IT_LINES_NUMBER = NUM_IRQS / 32 - 1;
    private static final int WORDS = NUM_IRQS / 32;
    /** Internal running priority when nothing is active (GICC_RPR then reads 0xFF). */
    private static final int IDLE_PRIORITY = 0x100;
    private static final int APR_WORDS = 4;
    private static final int CPU_MASK = 0x01;

    // ---- Register fields (the registers are declared in the constructor) ----------------------

    private static final String DIST = "gic-dist";
    private static final String CPU_IF = "gic-cpu";

    // GICD_CTLR.
    private static final Field GICD_ENABLE_GRP0 = Field.bit("EnableGrp0", 0);
    private static final Field GICD_ENABLE_GRP1 = Field.bit("EnableGrp1", 1);

    // GICD_TYPER: one CPU, no Security Extensions, no LPIs.
    private static final Field TYPER_IT_LINES = Field.bits("ITLinesNumber", 4, 0);
    private static final Field TYPER_CPU_NUMBER = Field.bits("CPUNumber", 7, 5);
    private static final Field TYPER_SECURITY_EXTN = Field.bit("SecurityExtn", 10);
    private static final Field TYPER_LSPI = Field.bits("LSPI", 15, 11);
    // GICD_IIDR: Implementer 0x43B (ARM), as QEMU.
    private static final Field IIDR_IMPLEMENTER = Field.bits("Implementer", 11, 0);
    private static final Field IIDR_REVISION = Field.bits("Revision", 15, 12);
    private static final Field IIDR_VARIANT = Field.bits("Variant", 19, 16);
    private static final Field IIDR_PRODUCT_ID = Field.bits("ProductID", 31, 24);
    private static final int GICD_IIDR_VALUE = 0x0000_043B;

    // GICD_SGIR.
    private static final Field SGIR_INTID = Field.bits("SGIINTID", 3, 0);
    /** Only matters under the Security Extensions: with one security state the SGI is sent whatever its value. */
    private static final Field SGIR_NSATT = Field.bit("NSATT", 15);
    private static final Field SGIR_TARGET_LIST = Field.bits("CPUTargetList", 23, 16);
    private static final Field SGIR_FILTER = Field.bits("TargetListFilter", 25, 24);
    private static final int SGIR_FILTER_LIST = 0;
    private static final int SGIR_FILTER_OTHERS = 1;
    private static final int SGIR_FILTER_SELF = 2;

    /** ICFGR value of the SGI word: every SGI edge-triggered (Int_config[1] = 1). */
    private static final int ICFGR_SGI_VALUE = 0xAAAA_AAAA;

    // GICC_CTLR (layout for a GIC without the Security Extensions).
    private static final Field GICC_ENABLE_GRP0 = Field.bit("EnableGrp0", 0);
    private static final Field GICC_ENABLE_GRP1 = Field.bit("EnableGrp1", 1);
    private static final Field GICC_ACK_CTL = Field.bit("AckCtl", 2);
    private static final Field GICC_FIQ_EN = Field.bit("FIQEn", 3).unimplemented("no FIQ output, Group 0 is signalled as IRQ");
    private static final Field GICC_CBPR = Field.bit("CBPR", 4);
    // The bypass disables are stored and read back, but there is no legacy interrupt input to bypass.
    private static final Field GICC_FIQ_BYP_DIS_GRP0 = Field.bit("FIQBypDisGrp0", 5);
    private static final Field GICC_IRQ_BYP_DIS_GRP0 = Field.bit("IRQBypDisGrp0", 6);
    private static final Field GICC_FIQ_BYP_DIS_GRP1 = Field.bit("FIQBypDisGrp1", 7);
    private static final Field GICC_IRQ_BYP_DIS_GRP1 = Field.bit("IRQBypDisGrp1", 8);
    private static final Field GICC_EOI_MODE = Field.bit("EOImode", 9);

    private static final Field GICC_PRIORITY = Field.bits("Priority", 7, 0);
    private static final Field GICC_BINARY_POINT = Field.bits("Binary_Point", 2, 0);
    private static final int GICC_BPR_MIN = 0;
    private static final int GICC_ABPR_MIN = 1;
    /** GICC_IAR, EOIR, HPPIR, DIR and aliases: the interrupt, and the source CPU of an SGI (always CPU 0 here). */
    private static final Field GICC_INTID = Field.bits("InterruptID", 9, 0);
    private static final Field GICC_CPUID = Field.bits("CPUID", 12, 10);
    private static final int SGI_SOURCE_CPU = 0;
    // GICC_IIDR: architecture version 2, implementer ARM, as QEMU.
    private static final int GICC_IIDR_VALUE = 0x0002_043B;

    // ---- State --------------------------------------------------------------------------------

    private final InterruptLine cpuIrq;
    private final GuestLog.Source distLog;
    private final GuestLog.Source cpuLog;
    private final RegisterMap distRegs;
    private final RegisterMap cpuRegs;
    private final MmioDevice distributor;
    private final MmioDevice cpuInterface;
    private final InterruptLine[] lines = new InterruptLine[NUM_IRQS];

    private int distCtlr;
    // One bit per interrupt, 32 interrupts per word, as the registers lay them out.
    private final int[] group = new int[WORDS];
    private final int[] enabled = new int[WORDS];
    /** Software- or edge-set pending state (for a level interrupt, the wire adds to it). */
    private final int[] pendingLatch = new int[WORDS];
    /** Current level of each input wire. */
    private final int[] level = new int[WORDS];
    /** 1 = edge-triggered (ICFGR Int_config[1]). */
    private final int[] edge = new int[WORDS];
    private final int[] active = new int[WORDS];
    /** 1 = interrupt targets this CPU (derived from ITARGETSR). */
    private final int[] targeted = new int[WORDS];
    private final int[] priority = new int[NUM_IRQS];
    private final int[] target = new int[NUM_IRQS];

    private int cpuCtlr;
    private int pmr;
    private int bpr;
    private int abpr;
    private final int[] apr = new int[APR_WORDS];
    private final int[] nsapr = new int[APR_WORDS];

    private boolean outputLevel;

    /**
     * @param cpuIrq the IRQ input of the CPU
     * @param log    the machine's guest log
     */
    public GicV2(InterruptLine cpuIrq, GuestLog log) {
        this.cpuIrq = cpuIrq;
        this.distLog = log.source(DIST);
        this.cpuLog = log.source(CPU_IF);
        this.distRegs = distributorRegisters();
        this.cpuRegs = cpuInterfaceRegisters();
        this.distributor = distRegs.asMmioDevice(DIST, this);
        this.cpuInterface = cpuRegs.asMmioDevice(CPU_IF, this);
        for (int id = NUM_SGIS; id < NUM_IRQS; id++) {
            final int intid = id;
            lines[id] = high -> setInput(intid, high);
        }
        reset();
    }

    /** The Distributor register block. */
    public MmioDevice distributor() {
        return distributor;
    }

    /** The CPU interface register block. */
    public MmioDevice cpuInterface() {
        return cpuInterface;
    }

    /**
     * The input wire of a PPI or SPI. This is a wiring call made by the board, so a bad INTID is a
     * programming error and throws.
     */
    public InterruptLine line(int intid) {
        if (intid < NUM_SGIS || intid >= NUM_IRQS) {
            throw new IllegalArgumentException("GICv2 has no input wire for INTID " + intid
                    + " (PPIs and SPIs are 16.." + (NUM_IRQS - 1) + ")");
        }
        return lines[intid];
    }

    /** Level currently driven on the CPU's IRQ wire (for tests and the debugger view). */
    public boolean irqOutput() {
        return outputLevel;
    }

    // ---- Snapshot -----------------------------------------------------------------------------

    @Override
    public String snapshotName() {
        return "gic";
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /**
     * Layout: i32 GICD_CTLR; per-interrupt bit words group, enabled, pending latch, input level,
     * edge, active, targeted; per-interrupt priority and target; GICC_CTLR, PMR, BPR, ABPR; APRs,
     * NSAPRs; the output level; the two register maps' stored values.
     */
    @Override
    public void save(StateWriter out) {
        out.i32(distCtlr);
        for (int[] words : new int[][] {group, enabled, pendingLatch, level, edge, active, targeted}) out.ints(words);
        out.ints(priority).ints(target).i32(cpuCtlr).i32(pmr).i32(bpr).i32(abpr).ints(apr).ints(nsapr).bool(outputLevel);
        distRegs.save(out);
        cpuRegs.save(out);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        int dctlr = in.i32("GICD_CTLR", 0, 3);
        int[][] words = new int[7][];
        for (int i = 0; i < words.length; i++) words[i] = in.ints("an interrupt bitmap", WORDS);
        int[] prio = in.ints("the priorities", NUM_IRQS);
        int[] targets = in.ints("the targets", NUM_IRQS);
        for (int id = 0; id < NUM_IRQS; id++) {
            if (prio[id] < 0 || prio[id] > 0xFF || targets[id] < 0 || targets[id] > 0xFF) {
                throw in.bad("interrupt " + id + " has priority " + prio[id] + " and target " + targets[id]);
            }
        }
        int cctlr = in.i32("GICC_CTLR", 0, 0x3FF);
        int savedPmr = in.i32("GICC_PMR", 0, 0xFF);
        int savedBpr = in.i32("GICC_BPR", 0, 7);
        int savedAbpr = in.i32("GICC_ABPR", 0, 7);
        int[] aprs = in.ints("GICC_APRn", APR_WORDS);
        int[] nsaprs = in.ints("GICC_NSAPRn", APR_WORDS);
        boolean out = in.bool();
        Runnable dist = distRegs.load(in);
        Runnable cpu = cpuRegs.load(in);
        return () -> {
            distCtlr = dctlr;
            int[][] mine = {group, enabled, pendingLatch, level, edge, active, targeted};
            for (int i = 0; i < mine.length; i++) System.arraycopy(words[i], 0, mine[i], 0, WORDS);
            System.arraycopy(prio, 0, priority, 0, NUM_IRQS);
            System.arraycopy(targets, 0, target, 0, NUM_IRQS);
            cpuCtlr = cctlr;
            pmr = savedPmr;
            bpr = savedBpr;
            abpr = savedAbpr;
            System.arraycopy(aprs, 0, apr, 0, APR_WORDS);
            System.arraycopy(nsaprs, 0, nsapr, 0, APR_WORDS);
            outputLevel = out;  // the CPU restores its own copy of the IRQ wire
            dist.run();
            cpu.run();
        };
    }

    /** Puts the GIC in its reset state. Input wire levels are kept: they belong to the devices. */
    public void reset() {
        distCtlr = 0;
        for (int w = 0; w < WORDS; w++) {
            group[w] = 0;
            enabled[w] = 0;
            pendingLatch[w] = 0;
            edge[w] = 0;
            active[w] = 0;
        }
        // SGIs are always enabled and edge-triggered.
        enabled[0] = (1 << NUM_SGIS) - 1;
        edge[0] = (1 << NUM_SGIS) - 1;
        for (int id = 0; id < NUM_IRQS; id++) {
            priority[id] = 0;
            target[id] = CPU_MASK;
        }
        recomputeTargeted();
        cpuCtlr = 0;
        pmr = 0;
        bpr = GICC_BPR_MIN;
        abpr = GICC_ABPR_MIN;
        for (int i = 0; i < APR_WORDS; i++) {
            apr[i] = 0;
            nsapr[i] = 0;
        }
        update();
    }

    // ---- Interrupt state helpers --------------------------------------------------------------

    private static boolean bit(int[] words, int id) {
        return (words[id >>> 5] & (1 << (id & 31))) != 0;
    }

    private static void setBit(int[] words, int id, boolean value) {
        if (value) words[id >>> 5] |= 1 << (id & 31);
        else words[id >>> 5] &= ~(1 << (id & 31));
    }

    /** Pending bits of word w: latched, plus level-triggered wires that are high. */
    private int pendingWord(int w) {
        return pendingLatch[w] | (level[w] & ~edge[w]);
    }

    private int groupOf(int id) {
        return bit(group, id) ? 1 : 0;
    }

    private void setInput(int id, boolean high) {
        if (bit(level, id) == high) return;
        setBit(level, id, high);
        // An edge-triggered interrupt remembers a rising edge; a level one follows the wire.
        if (high && bit(edge, id)) setBit(pendingLatch, id, true);
        update();
    }

    private void recomputeTargeted() {
        targeted[0] = -1; // SGIs and PPIs are private to this CPU.
        for (int w = 1; w < WORDS; w++) {
            int bits = 0;
            for (int i = 0; i < 32; i++) {
                if ((target[w * 32 + i] & CPU_MASK) != 0) bits |= 1 << i;
            }
            targeted[w] = bits;
        }
    }

    /**
     * The interrupt the Distributor forwards: highest-priority (lowest value, then lowest ID)
     * pending, enabled, inactive interrupt targeting this CPU in a group the Distributor has
     * enabled. An active-and-pending interrupt is not forwarded again until deactivated.
     * Returns {@link #SPURIOUS} when there is none.
     */
    private int bestPending() {
        int groupEnabledAll = GICD_ENABLE_GRP0.isSet(distCtlr) ? -1 : 0;
        int group1EnabledAll = GICD_ENABLE_GRP1.isSet(distCtlr) ? -1 : 0;
        if (groupEnabledAll == 0 && group1EnabledAll == 0) return SPURIOUS;
        int best = SPURIOUS;
        int bestPrio = 0x100;
        for (int w = 0; w < WORDS; w++) {
            int groupOk = (~group[w] & groupEnabledAll) | (group[w] & group1EnabledAll);
            int candidates = pendingWord(w) & enabled[w] & ~active[w] & targeted[w] & groupOk;
            while (candidates != 0) {
                int i = Integer.numberOfTrailingZeros(candidates);
                candidates &= candidates - 1;
                int id = w * 32 + i;
                if (priority[id] < bestPrio) {
                    bestPrio = priority[id];
                    best = id;
                }
            }
        }
        return best;
    }

    /** True when the CPU interface signals interrupts of this group. */
    private boolean cpuGroupEnabled(int g) {
        return (g == 0 ? GICC_ENABLE_GRP0 : GICC_ENABLE_GRP1).isSet(cpuCtlr);
    }

    /** Priority bits that form the group (preemption) priority, per GICC_BPR/ABPR and CBPR. */
    private int groupPriority(int id) {
        int point;
        if (groupOf(id) == 1 && !GICC_CBPR.isSet(cpuCtlr)) {
            point = abpr - 1; // ABPR n splits like BPR n-1 (spec 3.3.3)
        } else {
            point = bpr;
        }
        return priority[id] & (0xFF << (point + 1)) & 0xFF;
    }

    /** Group priority of the highest-priority active interrupt, or IDLE_PRIORITY. */
    private int runningPriority() {
        for (int i = 0; i < APR_WORDS; i++) {
            int bits = apr[i] | nsapr[i];
            if (bits != 0) return (i * 32 + Integer.numberOfTrailingZeros(bits)) << (GICC_BPR_MIN + 1);
        }
        return IDLE_PRIORITY;
    }

    /**
     * The pending interrupt the CPU interface would present (GICC_HPPIR view): forwarded by the
     * Distributor, its group enabled at the CPU interface and above the priority mask.
     */
    private int presentable() {
        int id = bestPending();
        if (id == SPURIOUS) return SPURIOUS;
        if (!cpuGroupEnabled(groupOf(id))) return SPURIOUS;
        if (priority[id] >= pmr) return SPURIOUS;
        return id;
    }

    /** Recomputes the CPU's IRQ wire; call after every state change. */
    private void update() {
        int id = presentable();
        boolean signal = id != SPURIOUS && groupPriority(id) < runningPriority();
        if (signal != outputLevel) {
            outputLevel = signal;
            cpuIrq.set(signal);
        }
    }

    // ---- CPU interface operations -------------------------------------------------------------

    /** GICC_IAR (aliased = false) or GICC_AIAR (aliased = true, Group 1 only). */
    private int acknowledge(boolean aliased) {
        int id = presentable();
        if (id == SPURIOUS) return SPURIOUS;
        int g = groupOf(id);
        if (aliased && g == 0) return SPURIOUS; // Group 0 is not visible through the alias.
        if (!aliased && g == 1 && !GICC_ACK_CTL.isSet(cpuCtlr)) return GROUP1_PENDING;
        int prio = groupPriority(id);
        if (prio >= runningPriority()) return SPURIOUS; // Not high enough to preempt.
        int level = prio >> (GICC_BPR_MIN + 1);
        int[] activePriorities = g == 1 ? nsapr : apr;
        activePriorities[level >>> 5] |= 1 << (level & 31);
        setBit(active, id, true);
        // The latch goes for both kinds; a level interrupt whose wire is still high stays
        // pending (active and pending) through pendingWord().
        setBit(pendingLatch, id, false);
        update();
        // An SGI reports its source CPU in [12:10]; the only source is CPU 0.
        return (int) (GICC_INTID.of(id) | GICC_CPUID.of(SGI_SOURCE_CPU));
    }

    /** GICC_HPPIR (aliased = false) or GICC_AHPPIR (aliased = true). */
    private int highestPending(boolean aliased) {
        int id = presentable();
        if (id == SPURIOUS) return SPURIOUS;
        int g = groupOf(id);
        if (aliased) return g == 1 ? id : SPURIOUS;
        if (g == 1 && !GICC_ACK_CTL.isSet(cpuCtlr)) return GROUP1_PENDING;
        return id;
    }

    /** GICC_EOIR (aliased = false) or GICC_AEOIR (aliased = true). */
    private void endOfInterrupt(int value, boolean aliased) {
        String reg = aliased ? "GICC_AEOIR" : "GICC_EOIR";
        int id = (int) GICC_INTID.get(value);
        if (id >= NUM_IRQS) {
            // 1020..1023 are the spurious IDs, which the GIC ignores; anything else names an
            // interrupt that does not exist (UNPREDICTABLE: ignored).
            if (id < 1020) cpuLog.guestError("%s write of nonexistent INTID %d", reg, id);
            return;
        }
        if (runningPriority() == IDLE_PRIORITY) {
            cpuLog.guestError("%s write of INTID %d with no interrupt active", reg, id);
            return;
        }
        int g = groupOf(id);
        if (aliased && g == 0) {
            cpuLog.guestError("GICC_AEOIR write of Group 0 INTID %d ignored", id);
            return;
        }
        if (!bit(active, id)) {
            // UNPREDICTABLE; like QEMU, still drop the running priority so the CPU is not stuck.
            cpuLog.guestError("%s write of INTID %d, which is not active", reg, id);
        }
        dropPriority(g);
        if (!GICC_EOI_MODE.isSet(cpuCtlr)) setBit(active, id, false);
        update();
    }

    /**
     * Clears the highest-priority active priority bit of the group. EOIs must nest with IAR
     * reads, so that bit belongs to the interrupt being completed.
     */
    private void dropPriority(int g) {
        int[] activePriorities = g == 1 ? nsapr : apr;
        for (int i = 0; i < APR_WORDS; i++) {
            if (activePriorities[i] != 0) {
                activePriorities[i] &= activePriorities[i] - 1;
                return;
            }
        }
    }

    private void deactivate(int value) {
        int id = (int) GICC_INTID.get(value);
        if (id >= NUM_IRQS) {
            if (id < 1020) cpuLog.guestError("GICC_DIR write of nonexistent INTID %d", id);
            return;
        }
        if (!GICC_EOI_MODE.isSet(cpuCtlr)) {
            // UNPREDICTABLE with EOImode 0 (EOIR already deactivated); ignored, as QEMU does.
            cpuLog.guestError("GICC_DIR write of INTID %d while GICC_CTLR.EOImode is 0", id);
            return;
        }
        setBit(active, id, false);
        update();
    }

    private void sendSgi(int value) {
        int id = (int) SGIR_INTID.get(value);
        int filter = (int) SGIR_FILTER.get(value);
        boolean toSelf;
        switch (filter) {
            case SGIR_FILTER_LIST -> toSelf = (SGIR_TARGET_LIST.get(value) & CPU_MASK) != 0;
            case SGIR_FILTER_OTHERS -> toSelf = false; // There are no other CPUs.
            case SGIR_FILTER_SELF -> toSelf = true;
            default -> {
                distLog.guestError("GICD_SGIR write 0x%08x with reserved TargetListFilter 3", value);
                return;
            }
        }
        if (toSelf) {
            setBit(pendingLatch, id, true);
            update();
        }
    }

    // ---- Distributor registers ----------------------------------------------------------------

    /**
     * The Distributor's registers (GIC architecture spec v2, table 4-1). Narrow accesses are
     * tolerated where the architecture wants words, as QEMU performs them; the registers of
     * interrupts beyond {@value #NUM_IRQS} are not declared, so accesses there are reported.
     */
    private RegisterMap distributorRegisters() {
        String status = "GIC-400 implementation-defined PPI/SPI status register";
        return RegisterMap.builder(DISTRIBUTOR_SIZE, distLog)
                .narrowAccesses(NarrowAccess.TOLERATED, Placement.ADDRESSED_BYTES)
                .register("GICD_CTLR", 0x000).fields(GICD_ENABLE_GRP0, GICD_ENABLE_GRP1)
                        .read(i -> distCtlr).write((i, v) -> { distCtlr = (int) v; update(); })
                .register("GICD_TYPER", 0x004).ro().fields(TYPER_IT_LINES, TYPER_CPU_NUMBER, TYPER_SECURITY_EXTN, TYPER_LSPI)
                        .reset(TYPER_IT_LINES.of(IT_LINES_NUMBER))
                .register("GICD_IIDR", 0x008).ro().fields(IIDR_IMPLEMENTER, IIDR_REVISION, IIDR_VARIANT, IIDR_PRODUCT_ID)
                        .reset(GICD_IIDR_VALUE)
                .array("GICD_IGROUPR", 0x080, WORDS).read(i -> group[i]).write((i, v) -> { group[i] = (int) v; update(); })
                // SGIs cannot be disabled (RAO/WI), as on the GIC-400.
                .array("GICD_ISENABLER", 0x100, WORDS).w1s().read(i -> enabled[i])
                        .write((i, v) -> { enabled[i] |= withoutSgis(i, v); update(); })
                .array("GICD_ICENABLER", 0x180, WORDS).w1c().read(i -> enabled[i])
                        .write((i, v) -> { enabled[i] &= ~withoutSgis(i, v); update(); })
                // SGI pending state is written through GICD_SPENDSGIR/CPENDSGIR: these bits are WI.
                .array("GICD_ISPENDR", 0x200, WORDS).w1s().read(this::pendingWord)
                        .write((i, v) -> { pendingLatch[i] |= withoutSgis(i, v); update(); })
                .array("GICD_ICPENDR", 0x280, WORDS).w1c().read(this::pendingWord)
                        .write((i, v) -> { pendingLatch[i] &= ~withoutSgis(i, v); update(); })
                .array("GICD_ISACTIVER", 0x300, WORDS).w1s().read(i -> active[i])
                        .write((i, v) -> { active[i] |= (int) v; update(); })
                .array("GICD_ICACTIVER", 0x380, WORDS).w1c().read(i -> active[i])
                        .write((i, v) -> { active[i] &= ~(int) v; update(); })
                .array("GICD_IPRIORITYR", 0x400, NUM_IRQS / 4).narrow(NarrowAccess.ALLOWED)
                        .read(i -> bytes(priority, i * 4)).write((i, v) -> writePriorities(i, (int) v))
                .array("GICD_ITARGETSR", 0x800, NUM_IRQS / 4).narrow(NarrowAccess.ALLOWED)
                        .read(i -> bytes(target, i * 4)).write((i, v) -> writeTargets(i, (int) v))
                .array("GICD_ICFGR", 0xC00, NUM_IRQS / 16).read(this::icfgrRead).write((i, v) -> writeIcfgr(i, (int) v))
                .register("GICD_PPISR", 0xD00).unimplemented(status)
                .array("GICD_SPISR", 0xD04, 15).unimplemented(status)
                // Non-secure access control: RAZ/WI without the Security Extensions.
                .array("GICD_NSACR", 0xE00, 64).razWi()
                .register("GICD_SGIR", 0xF00).wo().narrow(NarrowAccess.REFUSED)
                        .fields(SGIR_INTID, SGIR_NSATT, SGIR_TARGET_LIST, SGIR_FILTER).write((i, v) -> sendSgi((int) v))
                .array("GICD_CPENDSGIR", 0xF10, NUM_SGIS / 4).w1c().narrow(NarrowAccess.ALLOWED)
                        .read(this::sgiPendingRead).write((i, v) -> writeSgiPending(i, (int) v, false))
                .array("GICD_SPENDSGIR", 0xF20, NUM_SGIS / 4).w1s().narrow(NarrowAccess.ALLOWED)
                        .read(this::sgiPendingRead).write((i, v) -> writeSgiPending(i, (int) v, true))
                // Identification registers, QEMU's GICv2 values.
                .register("GICD_PIDR4", 0xFD0).ro().reset(0x04)
                .register("GICD_PIDR5", 0xFD4).ro()
                .register("GICD_PIDR6", 0xFD8).ro()
                .register("GICD_PIDR7", 0xFDC).ro()
                .array("GICD_PIDR", 0xFE0, 4).ro().reset(0x90, 0xB4, 0x2B, 0x00)
                .array("GICD_CIDR", 0xFF0, 4).ro().reset(0x0D, 0xF0, 0x05, 0xB1)
                .build();
    }

    /** The bits of a set/clear-enable or set/clear-pending write that apply: SGI bits (word 0) are WI. */
    private static int withoutSgis(int index, long bits) {
        return index == 0 ? (int) bits & ~0xFFFF : (int) bits;
    }

    private static int bytes(int[] perIrq, int first) {
        return perIrq[first] | perIrq[first + 1] << 8 | perIrq[first + 2] << 16 | perIrq[first + 3] << 24;
    }

    private void writePriorities(int index, int value) {
        for (int lane = 0; lane < 4; lane++) priority[index * 4 + lane] = value >>> (8 * lane) & 0xFF;
        update();
    }

    private void writeTargets(int index, int value) {
        for (int lane = 0; lane < 4; lane++) {
            int id = index * 4 + lane;
            // SGI/PPI targets are read-only; bits for CPUs that do not exist are RAZ/WI.
            if (id >= NUM_INTERNAL) target[id] = value >>> (8 * lane) & CPU_MASK;
        }
        recomputeTargeted();
        update();
    }

    private int icfgrRead(int index) {
        if (index == 0) return ICFGR_SGI_VALUE;
        int value = 0;
        for (int i = 0; i < 16; i++) {
            if (bit(edge, index * 16 + i)) value |= 2 << (2 * i);
        }
        return value;
    }

    private void writeIcfgr(int index, int value) {
        if (index != 0) { // SGIs are always edge-triggered: read-only.
            for (int i = 0; i < 16; i++) {
                // Int_config[0] is reserved in GICv2; only the edge/level bit is kept.
                setBit(edge, index * 16 + i, (value >>> (2 * i + 1) & 1) != 0);
            }
        }
        update();
    }

    /** Four SGIs, one byte each; bit 0 of a byte is "pending from CPU 0", the only source. */
    private int sgiPendingRead(int index) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            if (bit(pendingLatch, index * 4 + i)) value |= 1 << (8 * i);
        }
        return value;
    }

    private void writeSgiPending(int index, int bits, boolean pending) {
        for (int lane = 0; lane < 4; lane++) {
            // Only source CPU 0 exists: bits for other sources are RAZ/WI.
            if ((bits >>> (8 * lane) & CPU_MASK) != 0) setBit(pendingLatch, index * 4 + lane, pending);
        }
        update();
    }

    // ---- CPU interface registers --------------------------------------------------------------

    /**
     * The CPU interface's registers (GIC architecture spec v2, table 4-2): words only, as reads
     * here have side effects (GICC_IAR acknowledges).
     */
    private RegisterMap cpuInterfaceRegisters() {
        return RegisterMap.builder(CPU_INTERFACE_SIZE, cpuLog)
                .register("GICC_CTLR", 0x00).fields(GICC_ENABLE_GRP0, GICC_ENABLE_GRP1, GICC_ACK_CTL, GICC_FIQ_EN, GICC_CBPR,
                        GICC_FIQ_BYP_DIS_GRP0, GICC_IRQ_BYP_DIS_GRP0, GICC_FIQ_BYP_DIS_GRP1, GICC_IRQ_BYP_DIS_GRP1, GICC_EOI_MODE)
                        .read(i -> cpuCtlr).write((i, v) -> { cpuCtlr = (int) v; update(); })
                .register("GICC_PMR", 0x04).fields(GICC_PRIORITY).read(i -> pmr).write((i, v) -> { pmr = (int) v; update(); })
                .register("GICC_BPR", 0x08).fields(GICC_BINARY_POINT).reset(GICC_BPR_MIN)
                        .read(i -> bpr).write((i, v) -> { bpr = Math.max((int) v, GICC_BPR_MIN); update(); })
                .register("GICC_IAR", 0x0C).ro().fields(GICC_INTID, GICC_CPUID).read(i -> acknowledge(false))
                .register("GICC_EOIR", 0x10).wo().fields(GICC_INTID, GICC_CPUID).write((i, v) -> endOfInterrupt((int) v, false))
                .register("GICC_RPR", 0x14).ro().fields(GICC_PRIORITY).read(i -> Math.min(runningPriority(), 0xFF))
                .register("GICC_HPPIR", 0x18).ro().fields(GICC_INTID, GICC_CPUID).read(i -> highestPending(false))
                .register("GICC_ABPR", 0x1C).fields(GICC_BINARY_POINT).reset(GICC_ABPR_MIN)
                        .read(i -> abpr).write((i, v) -> { abpr = Math.max((int) v, GICC_ABPR_MIN); update(); })
                .register("GICC_AIAR", 0x20).ro().fields(GICC_INTID, GICC_CPUID).read(i -> acknowledge(true))
                .register("GICC_AEOIR", 0x24).wo().fields(GICC_INTID, GICC_CPUID).write((i, v) -> endOfInterrupt((int) v, true))
                .register("GICC_AHPPIR", 0x28).ro().fields(GICC_INTID, GICC_CPUID).read(i -> highestPending(true))
                // The architecture only promises that restoring a saved value works; any value is
                // accepted and the running priority follows it.
                .array("GICC_APR", 0xD0, APR_WORDS).read(i -> apr[i]).write((i, v) -> { apr[i] = (int) v; update(); })
                .array("GICC_NSAPR", 0xE0, APR_WORDS).read(i -> nsapr[i]).write((i, v) -> { nsapr[i] = (int) v; update(); })
                .register("GICC_IIDR", 0xFC).ro().fields(IIDR_IMPLEMENTER, IIDR_REVISION, IIDR_VARIANT, IIDR_PRODUCT_ID)
                        .reset(GICC_IIDR_VALUE)
                .register("GICC_DIR", 0x1000).wo().fields(GICC_INTID, GICC_CPUID).write((i, v) -> deactivate((int) v))
                .build();
    }
}
