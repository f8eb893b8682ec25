package org.vitrine.devices.arm;

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
 *       bytes (QEMU's behaviour, so guests that work on QEMU work here); on the CPU interface,
 *       where reads have side effects, it is logged and ignored (RAZ/WI). 8-byte and misaligned
 *       accesses are logged and ignored.</li>
 *   <li>GICC_AIAR/AEOIR/AHPPIR are implemented (QEMU leaves them unimplemented).</li>
 * </ul>
 *
 * <p>Used only from the emulation thread; not thread-safe.
 */
public final class GicV2 {
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

    // ---- Register map -------------------------------------------------------------------------

    /** How a register may be accessed. */
    private enum Access { RW, RO, WO, RAZ_WI, UNIMPLEMENTED }

    /** Distributor registers (GIC architecture spec v2, table 4-1), each a byte range. */
    private enum Dist {
        CTLR(0x000, 0x004, Access.RW, false),
        TYPER(0x004, 0x008, Access.RO, false),
        IIDR(0x008, 0x00C, Access.RO, false),
        IGROUPR(0x080, 0x100, Access.RW, false),
        ISENABLER(0x100, 0x180, Access.RW, false),
        ICENABLER(0x180, 0x200, Access.RW, false),
        ISPENDR(0x200, 0x280, Access.RW, false),
        ICPENDR(0x280, 0x300, Access.RW, false),
        ISACTIVER(0x300, 0x380, Access.RW, false),
        ICACTIVER(0x380, 0x400, Access.RW, false),
        IPRIORITYR(0x400, 0x7FC, Access.RW, true),
        ITARGETSR(0x800, 0xBFC, Access.RW, true),
        ICFGR(0xC00, 0xD00, Access.RW, false),
        /** GIC-400 implementation-defined PPI/SPI status registers. */
        PPISR_SPISR(0xD00, 0xD40, Access.UNIMPLEMENTED, false),
        /** Non-secure access control: RAZ/WI without the Security Extensions. */
        NSACR(0xE00, 0xF00, Access.RAZ_WI, false),
        SGIR(0xF00, 0xF04, Access.WO, false),
        CPENDSGIR(0xF10, 0xF20, Access.RW, true),
        SPENDSGIR(0xF20, 0xF30, Access.RW, true),
        /** PIDR4..7, PIDR0..3, CIDR0..3. */
        ID(0xFD0, 0x1000, Access.RO, false);

        final int start;
        final int end;
        final Access access;
        final boolean byteAccessible;

        Dist(int start, int end, Access access, boolean byteAccessible) {
            this.start = start;
            this.end = end;
            this.access = access;
            this.byteAccessible = byteAccessible;
        }
    }

    /** CPU interface registers (GIC architecture spec v2, table 4-2). All are word-only. */
    private enum Cpu {
        CTLR(0x00, 0x04, Access.RW),
        PMR(0x04, 0x08, Access.RW),
        BPR(0x08, 0x0C, Access.RW),
        IAR(0x0C, 0x10, Access.RO),
        EOIR(0x10, 0x14, Access.WO),
        RPR(0x14, 0x18, Access.RO),
        HPPIR(0x18, 0x1C, Access.RO),
        ABPR(0x1C, 0x20, Access.RW),
        AIAR(0x20, 0x24, Access.RO),
        AEOIR(0x24, 0x28, Access.WO),
        AHPPIR(0x28, 0x2C, Access.RO),
        APR(0xD0, 0xE0, Access.RW),
        NSAPR(0xE0, 0xF0, Access.RW),
        IIDR(0xFC, 0x100, Access.RO),
        DIR(0x1000, 0x1004, Access.WO);

        final int start;
        final int end;
        final Access access;

        Cpu(int start, int end, Access access) {
            this.start = start;
            this.end = end;
            this.access = access;
        }
    }

    /** Register lookup by word index, built once from the enums so the map has one source. */
    private static final Dist[] DIST_BY_WORD = new Dist[(int) (DISTRIBUTOR_SIZE / 4)];
    private static final Cpu[] CPU_BY_WORD = new Cpu[(int) (CPU_INTERFACE_SIZE / 4)];

    static {
        for (Dist r : Dist.values()) {
            for (int o = r.start; o < r.end; o += 4) DIST_BY_WORD[o >> 2] = r;
        }
        for (Cpu r : Cpu.values()) {
            for (int o = r.start; o < r.end; o += 4) CPU_BY_WORD[o >> 2] = r;
        }
    }

    // GICD_CTLR fields.
    private static final int GICD_CTLR_ENABLE_GRP0 = 1 << 0;
    private static final int GICD_CTLR_ENABLE_GRP1 = 1 << 1;
    private static final int GICD_CTLR_MASK = GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1;

    // GICD_TYPER: ITLinesNumber [4:0], CPUNumber [7:5] = 0 (one CPU), SecurityExtn [10] = 0.
    private static final int GICD_TYPER_VALUE = IT_LINES_NUMBER;
    // GICD_IIDR: Implementer 0x43B (ARM), as QEMU.
    private static final int GICD_IIDR_VALUE = 0x0000_043B;

    // GICD_SGIR fields.
    private static final int SGIR_INTID_MASK = 0xF;
    private static final int SGIR_NSATT = 1 << 15;
    private static final int SGIR_TARGET_LIST_SHIFT = 16;
    private static final int SGIR_FILTER_SHIFT = 24;
    private static final int SGIR_FILTER_LIST = 0;
    private static final int SGIR_FILTER_OTHERS = 1;
    private static final int SGIR_FILTER_SELF = 2;

    /** ICFGR value of the SGI word: every SGI edge-triggered (Int_config[1] = 1). */
    private static final int ICFGR_SGI_VALUE = 0xAAAA_AAAA;

    // GICC_CTLR fields (layout for a GIC without the Security Extensions).
    private static final int GICC_CTLR_ENABLE_GRP0 = 1 << 0;
    private static final int GICC_CTLR_ENABLE_GRP1 = 1 << 1;
    private static final int GICC_CTLR_ACK_CTL = 1 << 2;
    private static final int GICC_CTLR_FIQ_EN = 1 << 3;
    private static final int GICC_CTLR_CBPR = 1 << 4;
    /**
     * FIQBypDisGrp0, IRQBypDisGrp0, FIQBypDisGrp1, IRQBypDisGrp1 [8:5]: kept in GICC_CTLR_MASK so
     * they read back, but there is no legacy interrupt input for them to bypass.
     */
    private static final int GICC_CTLR_BYPASS_DISABLES = 0xF << 5;
    private static final int GICC_CTLR_EOI_MODE = 1 << 9;
    private static final int GICC_CTLR_MASK = 0x3FF;

    private static final int GICC_BPR_MIN = 0;
    private static final int GICC_ABPR_MIN = 1;
    private static final int GICC_INTID_MASK = 0x3FF;
    /** SGI source CPU field of GICC_IAR/EOIR (always CPU 0 here). */
    private static final int GICC_CPUID_SHIFT = 10;
    private static final int SGI_SOURCE_CPU = 0;
    // GICC_IIDR: architecture version 2, implementer ARM, as QEMU.
    private static final int GICC_IIDR_VALUE = 0x0002_043B;

    /** PIDR4..7, PIDR0..3, CIDR0..3 at 0xFD0..0xFFC, QEMU's GICv2 values. */
    private static final int[] ID_VALUES = {
        0x04, 0x00, 0x00, 0x00, 0x90, 0xB4, 0x2B, 0x00, 0x0D, 0xF0, 0x05, 0xB1,
    };

    // ---- State --------------------------------------------------------------------------------

    private final InterruptLine cpuIrq;
    private final GuestLog.Source distLog;
    private final GuestLog.Source cpuLog;
    private final MmioDevice distributor = new DistributorRegion();
    private final MmioDevice cpuInterface = new CpuInterfaceRegion();
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
        this.distLog = log.source(distributor.name());
        this.cpuLog = log.source(cpuInterface.name());
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
        int groupEnabledAll = (distCtlr & GICD_CTLR_ENABLE_GRP0) != 0 ? -1 : 0;
        int group1EnabledAll = (distCtlr & GICD_CTLR_ENABLE_GRP1) != 0 ? -1 : 0;
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
        return (cpuCtlr & (g == 0 ? GICC_CTLR_ENABLE_GRP0 : GICC_CTLR_ENABLE_GRP1)) != 0;
    }

    /** Priority bits that form the group (preemption) priority, per GICC_BPR/ABPR and CBPR. */
    private int groupPriority(int id) {
        int point;
        if (groupOf(id) == 1 && (cpuCtlr & GICC_CTLR_CBPR) == 0) {
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
        if (!aliased && g == 1 && (cpuCtlr & GICC_CTLR_ACK_CTL) == 0) return GROUP1_PENDING;
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
        return id | (SGI_SOURCE_CPU << GICC_CPUID_SHIFT);
    }

    /** GICC_HPPIR (aliased = false) or GICC_AHPPIR (aliased = true). */
    private int highestPending(boolean aliased) {
        int id = presentable();
        if (id == SPURIOUS) return SPURIOUS;
        int g = groupOf(id);
        if (aliased) return g == 1 ? id : SPURIOUS;
        if (g == 1 && (cpuCtlr & GICC_CTLR_ACK_CTL) == 0) return GROUP1_PENDING;
        return id;
    }

    /** GICC_EOIR (aliased = false) or GICC_AEOIR (aliased = true). */
    private void endOfInterrupt(int value, boolean aliased) {
        String reg = aliased ? "GICC_AEOIR" : "GICC_EOIR";
        int id = value & GICC_INTID_MASK;
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
        if ((cpuCtlr & GICC_CTLR_EOI_MODE) == 0) setBit(active, id, false);
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
        int id = value & GICC_INTID_MASK;
        if (id >= NUM_IRQS) {
            if (id < 1020) cpuLog.guestError("GICC_DIR write of nonexistent INTID %d", id);
            return;
        }
        if ((cpuCtlr & GICC_CTLR_EOI_MODE) == 0) {
            // UNPREDICTABLE with EOImode 0 (EOIR already deactivated); ignored, as QEMU does.
            cpuLog.guestError("GICC_DIR write of INTID %d while GICC_CTLR.EOImode is 0", id);
            return;
        }
        setBit(active, id, false);
        update();
    }

    private void sendSgi(int value) {
        int id = value & SGIR_INTID_MASK;
        int filter = (value >>> SGIR_FILTER_SHIFT) & 3;
        boolean toSelf;
        switch (filter) {
            case SGIR_FILTER_LIST -> toSelf = ((value >>> SGIR_TARGET_LIST_SHIFT) & CPU_MASK) != 0;
            case SGIR_FILTER_OTHERS -> toSelf = false; // There are no other CPUs.
            case SGIR_FILTER_SELF -> toSelf = true;
            default -> {
                distLog.guestError("GICD_SGIR write 0x%08x with reserved TargetListFilter 3", value);
                return;
            }
        }
        // SGIR_NSATT only matters under the Security Extensions (which group may be sent); with a
        // single security state the SGI is sent whatever its value.
        if (toSelf) {
            setBit(pendingLatch, id, true);
            update();
        }
    }

    // ---- Distributor register file ------------------------------------------------------------

    private int distReadWord(Dist reg, int offset) {
        int index = (offset - reg.start) >> 2;
        return switch (reg) {
            case CTLR -> distCtlr;
            case TYPER -> GICD_TYPER_VALUE;
            case IIDR -> GICD_IIDR_VALUE;
            case IGROUPR -> group[index];
            case ISENABLER, ICENABLER -> enabled[index];
            case ISPENDR, ICPENDR -> pendingWord(index);
            case ISACTIVER, ICACTIVER -> active[index];
            case IPRIORITYR -> bytes(priority, index * 4);
            case ITARGETSR -> bytes(target, index * 4);
            case ICFGR -> icfgrRead(index);
            case CPENDSGIR, SPENDSGIR -> sgiPendingRead(index);
            case ID -> ID_VALUES[index];
            case PPISR_SPISR, NSACR, SGIR -> 0;
        };
    }

    private static int bytes(int[] perIrq, int first) {
        return perIrq[first] | perIrq[first + 1] << 8 | perIrq[first + 2] << 16 | perIrq[first + 3] << 24;
    }

    private int icfgrRead(int index) {
        if (index == 0) return ICFGR_SGI_VALUE;
        int value = 0;
        for (int i = 0; i < 16; i++) {
            if (bit(edge, index * 16 + i)) value |= 2 << (2 * i);
        }
        return value;
    }

    /** Four SGIs, one byte each; bit 0 of a byte is "pending from CPU 0", the only source. */
    private int sgiPendingRead(int index) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            if (bit(pendingLatch, index * 4 + i)) value |= 1 << (8 * i);
        }
        return value;
    }

    /**
     * Writes the bytes of {@code value} selected by {@code byteMask} (0xFF per written byte lane)
     * to the register word at {@code offset}.
     */
    private void distWriteWord(Dist reg, int offset, int value, int byteMask) {
        int index = (offset - reg.start) >> 2;
        int bits = value & byteMask; // For write-1-to-set/clear registers, the lanes not written.
        switch (reg) {
            case CTLR -> distCtlr = merge(distCtlr, value, byteMask) & GICD_CTLR_MASK;
            case IGROUPR -> group[index] = merge(group[index], value, byteMask);
            case ISENABLER -> enabled[index] |= index == 0 ? bits & ~0xFFFF : bits;
            // SGIs cannot be disabled (RAO/WI), as on the GIC-400.
            case ICENABLER -> enabled[index] &= ~(index == 0 ? bits & ~0xFFFF : bits);
            // SGI pending state is written through GICD_SPENDSGIR/CPENDSGIR: these bits are WI.
            case ISPENDR -> pendingLatch[index] |= index == 0 ? bits & ~0xFFFF : bits;
            case ICPENDR -> pendingLatch[index] &= ~(index == 0 ? bits & ~0xFFFF : bits);
            case ISACTIVER -> active[index] |= bits;
            case ICACTIVER -> active[index] &= ~bits;
            case IPRIORITYR -> {
                for (int lane = 0; lane < 4; lane++) {
                    if ((byteMask >>> (8 * lane) & 0xFF) != 0) priority[index * 4 + lane] = value >>> (8 * lane) & 0xFF;
                }
            }
            case ITARGETSR -> {
                for (int lane = 0; lane < 4; lane++) {
                    int id = index * 4 + lane;
                    // SGI/PPI targets are read-only; bits for CPUs that do not exist are RAZ/WI.
                    if (id >= NUM_INTERNAL && (byteMask >>> (8 * lane) & 0xFF) != 0) {
                        target[id] = value >>> (8 * lane) & CPU_MASK;
                    }
                }
                recomputeTargeted();
            }
            case ICFGR -> {
                if (index == 0) break; // SGIs are always edge-triggered: read-only.
                int old = icfgrRead(index);
                int merged = merge(old, value, byteMask);
                for (int i = 0; i < 16; i++) {
                    // Int_config[0] is reserved in GICv2; only the edge/level bit is kept.
                    setBit(edge, index * 16 + i, (merged >>> (2 * i + 1) & 1) != 0);
                }
            }
            case SGIR -> {
                if (byteMask != -1) {
                    distLog.guestError("partial write to GICD_SGIR ignored");
                    return;
                }
                sendSgi(value);
                return;
            }
            case CPENDSGIR, SPENDSGIR -> {
                for (int lane = 0; lane < 4; lane++) {
                    // Only source CPU 0 exists: bits for other sources are RAZ/WI.
                    if ((bits >>> (8 * lane) & CPU_MASK) != 0) {
                        setBit(pendingLatch, index * 4 + lane, reg == Dist.SPENDSGIR);
                    }
                }
            }
            case TYPER, IIDR, ID, PPISR_SPISR, NSACR -> { } // Filtered out by the caller.
        }
        update();
    }

    private static int merge(int old, int value, int byteMask) {
        return (old & ~byteMask) | (value & byteMask);
    }

    /** True when the register word belongs to interrupts this GIC does not implement. */
    private static boolean beyondImplemented(Dist reg, int offset) {
        int index = (offset - reg.start) >> 2;
        return switch (reg) {
            case IGROUPR, ISENABLER, ICENABLER, ISPENDR, ICPENDR, ISACTIVER, ICACTIVER -> index >= WORDS;
            case IPRIORITYR, ITARGETSR -> index * 4 >= NUM_IRQS;
            case ICFGR -> index * 16 >= NUM_IRQS;
            default -> false;
        };
    }

    private static boolean sizeOk(GuestLog.Source log, String op, long offset, int size, long regionSize) {
        if (size != 1 && size != 2 && size != 4) {
            log.guestError("%d-byte %s at offset 0x%x ignored (32-bit registers)", size, op, offset);
            return false;
        }
        if (offset < 0 || offset + size > regionSize || (offset & (size - 1)) != 0) {
            log.guestError("misaligned or out-of-range %d-byte %s at offset 0x%x ignored", size, op, offset);
            return false;
        }
        return true;
    }

    private static long laneMask(int size) {
        return size == 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1;
    }

    private final class DistributorRegion implements MmioDevice {
        @Override
        public String name() {
            return "gic-dist";
        }

        @Override
        public long size() {
            return DISTRIBUTOR_SIZE;
        }

        @Override
        public long read(long offset, int size) {
            if (!sizeOk(distLog, "read", offset, size, DISTRIBUTOR_SIZE)) return 0;
            int off = (int) offset;
            Dist reg = DIST_BY_WORD[off >> 2];
            if (reg == null) {
                distLog.guestError("read of reserved offset 0x%03x", off);
                return 0;
            }
            switch (reg.access) {
                case WO -> {
                    distLog.guestError("read of write-only GICD_%s", reg);
                    return 0;
                }
                case RAZ_WI -> {
                    return 0;
                }
                case UNIMPLEMENTED -> {
                    distLog.unimplemented("GICD_%s (offset 0x%03x) not modelled, reads as zero", reg, off);
                    return 0;
                }
                default -> { }
            }
            if (beyondImplemented(reg, off & ~3)) {
                distLog.guestError("read of GICD_%s at 0x%03x beyond INTID %d", reg, off, NUM_IRQS - 1);
                return 0;
            }
            if (size != 4 && !reg.byteAccessible) {
                distLog.guestError("%d-byte read of word-only GICD_%s at 0x%03x", size, reg, off);
            }
            long word = distReadWord(reg, off & ~3) & 0xFFFF_FFFFL;
            return (word >>> (8 * (off & 3))) & laneMask(size);
        }

        @Override
        public void write(long offset, int size, long value) {
            if (!sizeOk(distLog, "write", offset, size, DISTRIBUTOR_SIZE)) return;
            int off = (int) offset;
            Dist reg = DIST_BY_WORD[off >> 2];
            if (reg == null) {
                distLog.guestError("write of 0x%x to reserved offset 0x%03x", value, off);
                return;
            }
            switch (reg.access) {
                case RO -> {
                    distLog.guestError("write of 0x%x to read-only GICD_%s", value, reg);
                    return;
                }
                case RAZ_WI -> {
                    return;
                }
                case UNIMPLEMENTED -> {
                    distLog.unimplemented("GICD_%s (offset 0x%03x) not modelled, write ignored", reg, off);
                    return;
                }
                default -> { }
            }
            if (beyondImplemented(reg, off & ~3)) {
                distLog.guestError("write to GICD_%s at 0x%03x beyond INTID %d", reg, off, NUM_IRQS - 1);
                return;
            }
            if (size != 4 && !reg.byteAccessible) {
                distLog.guestError("%d-byte write to word-only GICD_%s at 0x%03x", size, reg, off);
            }
            int shift = 8 * (off & 3);
            int byteMask = (int) (laneMask(size) << shift);
            distWriteWord(reg, off & ~3, (int) (value << shift), byteMask);
        }
    }

    // ---- CPU interface register file ----------------------------------------------------------

    private final class CpuInterfaceRegion implements MmioDevice {
        @Override
        public String name() {
            return "gic-cpu";
        }

        @Override
        public long size() {
            return CPU_INTERFACE_SIZE;
        }

        private Cpu decode(String op, long offset, int size) {
            if (offset < 0 || offset + size > CPU_INTERFACE_SIZE || size < 1) {
                cpuLog.guestError("%s at out-of-range offset 0x%x", op, offset);
                return null;
            }
            Cpu reg = CPU_BY_WORD[(int) offset >> 2];
            if (reg == null) {
                cpuLog.guestError("%s of reserved offset 0x%03x", op, offset);
                return null;
            }
            if (size != 4 || (offset & 3) != 0) {
                // Reads here have side effects (IAR acknowledges): a partial access is ignored.
                cpuLog.guestError("%d-byte %s of GICC_%s at 0x%x ignored (word-only)", size, op, reg, offset);
                return null;
            }
            return reg;
        }

        @Override
        public long read(long offset, int size) {
            Cpu reg = decode("read", offset, size);
            if (reg == null) return 0;
            if (reg.access == Access.WO) {
                cpuLog.guestError("read of write-only GICC_%s", reg);
                return 0;
            }
            int value = switch (reg) {
                case CTLR -> cpuCtlr;
                case PMR -> pmr;
                case BPR -> bpr;
                case IAR -> acknowledge(false);
                case RPR -> Math.min(runningPriority(), 0xFF);
                case HPPIR -> highestPending(false);
                case ABPR -> abpr;
                case AIAR -> acknowledge(true);
                case AHPPIR -> highestPending(true);
                case APR -> apr[(int) (offset - Cpu.APR.start) >> 2];
                case NSAPR -> nsapr[(int) (offset - Cpu.NSAPR.start) >> 2];
                case IIDR -> GICC_IIDR_VALUE;
                case EOIR, AEOIR, DIR -> 0; // Write-only: handled above.
            };
            return value & 0xFFFF_FFFFL;
        }

        @Override
        public void write(long offset, int size, long value) {
            Cpu reg = decode("write", offset, size);
            if (reg == null) return;
            if (reg.access == Access.RO) {
                cpuLog.guestError("write of 0x%x to read-only GICC_%s", value, reg);
                return;
            }
            int v = (int) value;
            switch (reg) {
                case CTLR -> {
                    int old = cpuCtlr;
                    cpuCtlr = v & GICC_CTLR_MASK;
                    if ((cpuCtlr & GICC_CTLR_FIQ_EN) != 0 && (old & GICC_CTLR_FIQ_EN) == 0) {
                        cpuLog.unimplemented("GICC_CTLR.FIQEn: no FIQ output, Group 0 is signalled as IRQ");
                    }
                }
                case PMR -> pmr = v & 0xFF;
                case BPR -> bpr = Math.max(v & 7, GICC_BPR_MIN);
                case ABPR -> abpr = Math.max(v & 7, GICC_ABPR_MIN);
                case EOIR -> {
                    endOfInterrupt(v, false);
                    return;
                }
                case AEOIR -> {
                    endOfInterrupt(v, true);
                    return;
                }
                case DIR -> {
                    deactivate(v);
                    return;
                }
                // The architecture only promises that restoring a saved value works; any value is
                // accepted and the running priority follows it.
                case APR -> apr[(int) (offset - Cpu.APR.start) >> 2] = v;
                case NSAPR -> nsapr[(int) (offset - Cpu.NSAPR.start) >> 2] = v;
                case IAR, RPR, HPPIR, AIAR, AHPPIR, IIDR -> {
                    return; // Read-only: handled above.
                }
            }
            update();
        }
    }
}
