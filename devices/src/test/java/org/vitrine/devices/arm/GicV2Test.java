package org.vitrine.devices.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.devices.RecordingLine;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.spi.MmioDevice;
import org.vitrine.emulator.time.EventQueue;

class GicV2Test {
    // Distributor offsets.
    static final int GICD_CTLR = 0x000, GICD_TYPER = 0x004, GICD_IIDR = 0x008, GICD_IGROUPR = 0x080,
            GICD_ISENABLER = 0x100, GICD_ICENABLER = 0x180, GICD_ISPENDR = 0x200, GICD_ICPENDR = 0x280,
            GICD_ISACTIVER = 0x300, GICD_IPRIORITYR = 0x400, GICD_ITARGETSR = 0x800, GICD_ICFGR = 0xC00,
            GICD_SGIR = 0xF00, GICD_CPENDSGIR = 0xF10, GICD_SPENDSGIR = 0xF20;
    // CPU interface offsets.
    static final int GICC_CTLR = 0x00, GICC_PMR = 0x04, GICC_BPR = 0x08, GICC_IAR = 0x0C, GICC_EOIR = 0x10,
            GICC_RPR = 0x14, GICC_HPPIR = 0x18, GICC_AIAR = 0x20, GICC_AEOIR = 0x24, GICC_APR0 = 0xD0,
            GICC_IIDR = 0xFC, GICC_DIR = 0x1000;

    // Keep a real clock in the fixture: interrupt sources in the machine are driven from it.
    final EventQueue clock = new EventQueue(1_000_000_000L);
    RecordingLine cpu;
    GicV2 gic;
    MmioDevice dist;
    MmioDevice cpuIf;
    /** This test's machine log: only this GIC reports into it. */
    final GuestLog log = GuestLog.silent();

    @BeforeEach
    void setUp() {
        cpu = new RecordingLine();
        gic = new GicV2(cpu, log);
        dist = gic.distributor();
        cpuIf = gic.cpuInterface();
    }

    long d(int off) {
        return dist.read(off, 4);
    }

    void d(int off, long v) {
        dist.write(off, 4, v);
    }

    long c(int off) {
        return cpuIf.read(off, 4);
    }

    void c(int off, long v) {
        cpuIf.write(off, 4, v);
    }

    /** Distributor and CPU interface on for Group 0, nothing masked by priority. */
    void enableAll() {
        d(GICD_CTLR, 1);
        c(GICC_CTLR, 1);
        c(GICC_PMR, 0xFF);
    }

    void enable(int id, int prio) {
        d(GICD_ISENABLER + 4 * (id / 32), 1L << (id % 32));
        dist.write(GICD_IPRIORITYR + id, 1, prio);
    }

    void configureEdge(int id) {
        int off = GICD_ICFGR + 4 * (id / 16);
        d(off, d(off) | (2L << (2 * (id % 16))));
    }

    @Test
    void identificationAndResetState() {
        assertEquals(0x1000, dist.size());
        assertEquals(0x2000, cpuIf.size());
        assertEquals(8, d(GICD_TYPER) & 0x1F, "ITLinesNumber for 288 interrupts");
        assertEquals(0, (d(GICD_TYPER) >> 5) & 7, "one CPU");
        assertEquals(0x43B, d(GICD_IIDR) & 0xFFF);
        assertEquals(0x0002043BL, c(GICC_IIDR));
        assertEquals(0x2B, d(0xFE8), "PIDR2: architecture version 2");
        assertEquals(0x04, d(0xFD0));
        assertEquals(0x0D, d(0xFF0));
        assertEquals(0xF0, d(0xFF4));
        assertEquals(0x05, d(0xFF8));
        assertEquals(0xB1, d(0xFFC));
        assertEquals(0x0000FFFFL, d(GICD_ISENABLER), "SGIs are always enabled");
        assertEquals(0xAAAAAAAAL, d(GICD_ICFGR), "SGIs are edge-triggered");
        assertEquals(0x01010101L, d(GICD_ITARGETSR), "SGI targets read as this CPU");
        assertEquals(0x01010101L, d(GICD_ITARGETSR + 28), "PPI targets read as this CPU");
        assertEquals(0x01010101L, d(GICD_ITARGETSR + 32), "SPIs target this CPU after reset");
        assertEquals(0xFF, c(GICC_RPR), "idle running priority");
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR));
        assertEquals(GicV2.SPURIOUS, c(GICC_HPPIR));
        assertFalse(gic.irqOutput());
        assertTrue(cpu.history.isEmpty(), "the output is only driven when it changes");
    }

    @Test
    void levelInterruptStaysPendingWhileLineIsHigh() {
        enableAll();
        enable(33, 0xA0);
        InterruptLine uart = gic.line(33);

        uart.set(true);
        assertTrue(cpu.level);
        assertEquals(1L << 1, d(GICD_ISPENDR + 4) & (1L << 1));
        assertEquals(33, c(GICC_HPPIR));
        assertEquals(33, c(GICC_IAR));
        assertFalse(cpu.level, "active interrupt is not signalled again");
        assertEquals(0xA0, c(GICC_RPR));
        assertEquals(1L << 1, d(GICD_ISACTIVER + 4) & (1L << 1), "active");
        assertEquals(1L << 1, d(GICD_ISPENDR + 4) & (1L << 1), "and still pending: the line is high");
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR), "nothing else to take");

        c(GICC_EOIR, 33);
        assertEquals(0xFF, c(GICC_RPR));
        assertTrue(cpu.level, "line still high: pending again after deactivation");

        uart.set(false);
        assertFalse(cpu.level, "device lowered the line: no longer pending");
        assertEquals(0, d(GICD_ISPENDR + 4) & (1L << 1));
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR));
        assertEquals(List.of(true, false, true, false), cpu.history);
    }

    @Test
    void edgeInterruptLatchesRisingEdges() {
        enableAll();
        configureEdge(48);
        enable(48, 0x80);
        InterruptLine virtio = gic.line(48);

        virtio.pulse();
        assertTrue(cpu.level, "a rising edge is latched even after the line drops");
        assertEquals(48, c(GICC_IAR));
        assertFalse(cpu.level);
        assertEquals(0, d(GICD_ISPENDR + 4) & (1L << 16), "acknowledge clears an edge latch");

        virtio.pulse();
        assertEquals(1L << 16, d(GICD_ISPENDR + 4) & (1L << 16), "active and pending");
        assertFalse(cpu.level, "not signalled while active");
        c(GICC_EOIR, 48);
        assertTrue(cpu.level, "second edge signalled once the first is done");
        assertEquals(48, c(GICC_IAR));
        c(GICC_EOIR, 48);
        assertFalse(cpu.level);
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR));

        // Software can clear a latched edge.
        virtio.pulse();
        d(GICD_ICPENDR + 4, 1L << 16);
        assertFalse(cpu.level);
        // And set one.
        d(GICD_ISPENDR + 4, 1L << 16);
        assertTrue(cpu.level);
    }

    @Test
    void enablesGateTheOutput() {
        enable(34, 0x10);
        gic.line(34).set(true);
        assertFalse(cpu.level, "distributor and CPU interface disabled");
        d(GICD_CTLR, 1);
        assertFalse(cpu.level, "CPU interface still disabled");
        c(GICC_PMR, 0xFF);
        c(GICC_CTLR, 1);
        assertTrue(cpu.level);
        d(GICD_ICENABLER + 4, 1L << 2);
        assertFalse(cpu.level, "interrupt disabled");
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR));
        d(GICD_ISENABLER + 4, 1L << 2);
        assertTrue(cpu.level);
        d(GICD_CTLR, 0);
        assertFalse(cpu.level, "distributor disabled");
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR));
    }

    @Test
    void priorityMaskHidesInterruptsAtOrBelowIt() {
        enableAll();
        enable(40, 0x80);
        c(GICC_PMR, 0x80);
        gic.line(40).set(true);
        assertFalse(cpu.level, "priority must be strictly higher (lower value) than PMR");
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR));
        c(GICC_PMR, 0x81);
        assertTrue(cpu.level);
        c(GICC_PMR, 0x00);
        assertFalse(cpu.level);
        assertEquals(0x00, c(GICC_PMR));
    }

    @Test
    void higherPriorityInterruptPreemptsActiveOne() {
        enableAll();
        enable(40, 0x80);
        enable(41, 0x40);
        enable(42, 0x80);
        gic.line(40).set(true);
        assertEquals(40, c(GICC_IAR));
        assertEquals(0x80, c(GICC_RPR));
        assertFalse(cpu.level);

        gic.line(42).set(true);
        assertFalse(cpu.level, "equal priority does not preempt");
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR));

        gic.line(41).set(true);
        assertTrue(cpu.level, "higher priority preempts");
        assertEquals(41, c(GICC_HPPIR));
        assertEquals(41, c(GICC_IAR));
        assertEquals(0x40, c(GICC_RPR));
        assertFalse(cpu.level);
        // Active priorities: bit n of APR0..3 stands for group priority 2n (QEMU's layout).
        assertEquals(1, c(GICC_APR0 + 4), "0x40 -> bit 32");
        assertEquals(1, c(GICC_APR0 + 8), "0x80 -> bit 64");

        gic.line(41).set(false);
        c(GICC_EOIR, 41);
        assertEquals(0x80, c(GICC_RPR), "back to the preempted interrupt's priority");
        assertFalse(cpu.level, "42 still cannot preempt 40");
        gic.line(40).set(false);
        c(GICC_EOIR, 40);
        assertEquals(0xFF, c(GICC_RPR));
        assertTrue(cpu.level, "now 42 is taken");
        assertEquals(42, c(GICC_IAR));
    }

    @Test
    void binaryPointGroupsPrioritiesForPreemption() {
        enableAll();
        enable(40, 0x8F);
        enable(41, 0x85);
        gic.line(40).set(true);
        c(GICC_BPR, 3); // Group priority is bits [7:4].
        assertEquals(40, c(GICC_IAR));
        assertEquals(0x80, c(GICC_RPR), "running priority is the group priority");
        gic.line(41).set(true);
        assertFalse(cpu.level, "0x85 is in the same priority group as 0x8F");
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR));
        c(GICC_EOIR, 40);
        gic.line(40).set(false);
        assertEquals(41, c(GICC_IAR));
        c(GICC_EOIR, 41);
        gic.line(41).set(false);

        c(GICC_BPR, 0); // Group priority is bits [7:1].
        gic.line(40).set(true);
        assertEquals(40, c(GICC_IAR));
        assertEquals(0x8E, c(GICC_RPR));
        gic.line(41).set(true);
        assertTrue(cpu.level, "0x85 preempts 0x8F with BPR 0");
        assertEquals(41, c(GICC_IAR));
    }

    @Test
    void softwareGeneratedInterrupts() {
        enableAll();
        dist.write(GICD_IPRIORITYR + 5, 1, 0x20);
        d(GICD_SGIR, (2L << 24) | 5); // To this CPU only.
        assertTrue(cpu.level);
        assertEquals(1L << 8, d(GICD_SPENDSGIR + 4), "SGI 5 pending from CPU 0");
        assertEquals(5, c(GICC_IAR), "source CPU 0 in bits [12:10]");
        assertFalse(cpu.level);
        c(GICC_EOIR, 5);
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR));

        d(GICD_SGIR, (0L << 24) | (0x01L << 16) | 7); // Target list: CPU 0.
        assertEquals(7, c(GICC_IAR));
        c(GICC_EOIR, 7);

        d(GICD_SGIR, (0L << 24) | (0x02L << 16) | 7); // CPU 1 does not exist.
        d(GICD_SGIR, (1L << 24) | 7); // All but self: nobody.
        assertFalse(cpu.level);
        assertEquals(GicV2.SPURIOUS, c(GICC_IAR));

        long before = log.count();
        d(GICD_SGIR, (3L << 24) | 7);
        assertEquals(before + 1, log.count(), "reserved filter is a guest error");
        assertFalse(cpu.level);

        // Pending state through SPENDSGIR/CPENDSGIR; ISPENDR0 SGI bits are WI.
        dist.write(GICD_SPENDSGIR + 3, 1, 0x01); // SGI 3
        assertTrue(cpu.level);
        d(GICD_ICPENDR, 0xFFFF);
        assertTrue(cpu.level, "ICPENDR cannot clear SGIs");
        dist.write(GICD_CPENDSGIR + 3, 1, 0x01);
        assertFalse(cpu.level);
        d(GICD_ICENABLER, 0xFFFF);
        assertEquals(0xFFFF, d(GICD_ISENABLER) & 0xFFFF, "SGIs cannot be disabled");
        d(GICD_ICFGR, 0);
        assertEquals(0xAAAAAAAAL, d(GICD_ICFGR), "SGI configuration is read-only");
    }

    @Test
    void ppiFromTimer() {
        enableAll();
        enable(30, 0xA0);
        gic.line(30).set(true);
        assertTrue(cpu.level);
        assertEquals(30, c(GICC_IAR));
        gic.line(30).set(false); // The guest reprogrammed the timer.
        c(GICC_EOIR, 30);
        assertFalse(cpu.level);
        assertEquals(0x01010101L, d(GICD_ITARGETSR + 28));
        d(GICD_ITARGETSR + 28, 0);
        assertEquals(0x01010101L, d(GICD_ITARGETSR + 28), "PPI targets are read-only");
    }

    @Test
    void byteAccessToPriorityAndTargets() {
        dist.write(GICD_IPRIORITYR + 33, 1, 0xC0);
        assertEquals(0xC000L, d(GICD_IPRIORITYR + 32));
        assertEquals(0xC0, dist.read(GICD_IPRIORITYR + 33, 1));
        d(GICD_IPRIORITYR + 36, 0x11223344L);
        assertEquals(0x22, dist.read(GICD_IPRIORITYR + 38, 1));

        enableAll();
        enable(35, 0x10);
        gic.line(35).set(true);
        assertTrue(cpu.level);
        dist.write(GICD_ITARGETSR + 35, 1, 0xFE); // Only nonexistent CPUs.
        assertEquals(0x00, dist.read(GICD_ITARGETSR + 35, 1));
        assertFalse(cpu.level, "SPI targeting no CPU is not forwarded");
        dist.write(GICD_ITARGETSR + 35, 1, 0xFF);
        assertEquals(0x01, dist.read(GICD_ITARGETSR + 35, 1), "bits of absent CPUs are RAZ/WI");
        assertTrue(cpu.level);
    }

    @Test
    void splitPriorityDropAndDeactivation() {
        enableAll();
        c(GICC_CTLR, 1 | (1 << 9)); // EOImode = 1
        configureEdge(50);
        enable(50, 0x60);
        gic.line(50).pulse();
        assertEquals(50, c(GICC_IAR));
        c(GICC_EOIR, 50);
        assertEquals(0xFF, c(GICC_RPR), "priority dropped");
        assertEquals(1L << 18, d(GICD_ISACTIVER + 4) & (1L << 18), "still active");
        gic.line(50).pulse();
        assertFalse(cpu.level, "active interrupt is not forwarded");
        c(GICC_DIR, 50);
        assertEquals(0, d(GICD_ISACTIVER + 4) & (1L << 18));
        assertTrue(cpu.level);
    }

    @Test
    void group1NeedsAckCtlOrTheAlias() {
        d(GICD_CTLR, 3);
        c(GICC_CTLR, 3);
        c(GICC_PMR, 0xFF);
        d(GICD_IGROUPR + 4, 1L << 12); // INTID 44 is Group 1.
        enable(44, 0x90);
        gic.line(44).set(true);
        assertTrue(cpu.level);
        assertEquals(GicV2.GROUP1_PENDING, c(GICC_HPPIR));
        assertEquals(GicV2.GROUP1_PENDING, c(GICC_IAR), "AckCtl clear: not acknowledged");
        assertEquals(44, c(GICC_AIAR));
        assertFalse(cpu.level);
        gic.line(44).set(false);
        c(GICC_AEOIR, 44);
        assertEquals(0xFF, c(GICC_RPR));

        c(GICC_CTLR, 3 | (1 << 2)); // AckCtl
        gic.line(44).set(true);
        assertEquals(44, c(GICC_IAR));
        c(GICC_EOIR, 44);

        c(GICC_CTLR, 1); // Group 1 disabled at the CPU interface.
        assertFalse(cpu.level);
    }

    @Test
    void resetClearsState() {
        enableAll();
        enable(33, 0x10);
        gic.line(33).set(true);
        assertTrue(cpu.level);
        gic.reset();
        assertFalse(cpu.level);
        assertEquals(0, d(GICD_CTLR));
        assertEquals(0, d(GICD_ISENABLER + 4));
    }

    @Test
    void wiringOutsidePpisAndSpisIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> gic.line(3));
        assertThrows(IllegalArgumentException.class, () -> gic.line(GicV2.NUM_IRQS));
    }

    @Test
    void hostileAccessesAreLoggedNotThrown() {
        enableAll();
        Runnable[] hostile = {
            () -> dist.read(0x00C, 4),                 // reserved
            () -> dist.write(0x040, 4, 1),             // reserved
            () -> dist.write(GICD_TYPER, 4, 0xFF),     // read-only
            () -> dist.write(0xFE8, 4, 0),             // read-only ID
            () -> dist.read(GICD_SGIR, 4),             // write-only
            () -> dist.read(GICD_ISENABLER + 4 * 9, 4),  // beyond INTID 287
            () -> dist.write(GICD_IPRIORITYR + 300, 1, 0), // beyond INTID 287
            () -> dist.read(GICD_CTLR, 8),             // 64-bit
            () -> dist.read(0x101, 2),                 // misaligned
            () -> dist.write(GICD_ISENABLER + 4, 1, 0xFF), // byte access to a word-only register
            () -> dist.read(0xFFF, 4),                 // runs off the end
            () -> dist.read(0x1000, 4),                // outside the region
            () -> dist.read(0xD00, 4),                 // implementation-defined, unimplemented
            () -> cpuIf.read(GICC_EOIR, 4),            // write-only
            () -> cpuIf.write(GICC_IAR, 4, 0),         // read-only
            () -> cpuIf.write(GICC_RPR, 4, 0),         // read-only
            () -> cpuIf.read(GICC_IAR, 1),             // partial read of a side-effecting register
            () -> cpuIf.read(0x40, 4),                 // reserved
            () -> cpuIf.write(0x2000, 4, 0),           // outside the region
            () -> cpuIf.write(GICC_EOIR, 4, 40),       // EOI with nothing active
            () -> cpuIf.write(GICC_EOIR, 4, 500),      // nonexistent interrupt
            () -> cpuIf.write(GICC_DIR, 4, 40),        // DIR with EOImode 0
            () -> cpuIf.write(GICC_CTLR, 4, 1 | 1 << 3), // FIQEn: unimplemented
        };
        for (Runnable access : hostile) {
            long before = log.count();
            access.run();
            assertTrue(log.count() > before, "each hostile access is reported");
        }
        // The byte write to ISENABLER1 was still performed, as QEMU does.
        assertEquals(0xFF, d(GICD_ISENABLER + 4) & 0xFF);
        // Spurious IDs written to EOIR are ignored silently, as the architecture says.
        long before = log.count();
        c(GICC_EOIR, GicV2.SPURIOUS);
        assertEquals(before, log.count());
        assertFalse(cpu.level);
    }

    @Test
    void eventQueueDrivenSourceRaisesTheCpuLine() {
        // A device event scheduled on the machine clock drives the GIC input at the right cycle.
        enableAll();
        enable(33, 0x80);
        clock.schedule(500, () -> gic.line(33).set(true));
        clock.advanceTo(499);
        clock.runDue();
        assertFalse(cpu.level);
        clock.advanceTo(500);
        clock.runDue();
        assertTrue(cpu.level);
    }
}
