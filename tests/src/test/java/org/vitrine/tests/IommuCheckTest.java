package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;
import org.vitrine.devices.iommu.Iommu;
import org.vitrine.devices.iommu.StaleIotlbDetector;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.spi.DmaPort;

/**
 * {@code --iommu-check} on a running machine: an SMMUv3 is set up (stream table, CD, tables)
 * and a device's DMA fills the IOTLB; then real guest code rewrites the page-table entry with a
 * store and powers off without invalidating. The next DMA is reported with the PC of that store,
 * caught by the memory-write hook on the real CPU.
 */
class IommuCheckTest {
    static final int SID = 31;
    static final long IOVA = 0x7000;

    @TempDir
    Path dir;

    static int movz(int rd, int imm16, int hw) {
        return 0xD2800000 | hw << 21 | imm16 << 5 | rd;
    }

    static int movk(int rd, int imm16, int hw) {
        return 0xF2800000 | hw << 21 | imm16 << 5 | rd;
    }

    /** x{rd} = value (64-bit) in four instructions. */
    static int[] load(int rd, long value) {
        return new int[] {movz(rd, (int) (value & 0xFFFF), 0), movk(rd, (int) (value >>> 16 & 0xFFFF), 1),
                movk(rd, (int) (value >>> 32 & 0xFFFF), 2), movk(rd, (int) (value >>> 48 & 0xFFFF), 3)};
    }

    @Test
    void staleDmaIsReportedWithThePcOfTheGuestStore() throws Exception {
        long strtab = 0x4100_0000L, cd = strtab + 0x1000, l0 = strtab + 0x2000, l1 = l0 + 0x1000, l2 = l1 + 0x1000, l3 = l2 + 0x1000;
        long pageA = 0x4200_0000L, pageB = 0x4200_1000L;
        long leaf = l3 + 8 * ((IOVA >>> 12) & 0x1FF);
        long newEntry = pageB | 0b11 | 1L << 10;
        int[] store = new int[12];
        System.arraycopy(load(2, leaf), 0, store, 0, 4);
        System.arraycopy(load(3, newEntry), 0, store, 4, 4);
        store[8] = 0xF9000043; // str x3, [x2]
        int[] off = TinyElf.powerOff(0);
        int[] code = new int[9 + off.length];
        System.arraycopy(store, 0, code, 0, 9);
        System.arraycopy(off, 0, code, 9, off.length);
        Path elf = TinyElf.write(dir, "pte-write.elf", code);
        long storePc = TinyElf.LOAD + 64 + 56 + 8 * 4;

        VirtBoard.Options o = VirtBoard.Options.defaults().withIommu(new IommuChoice(IommuChoice.Model.SMMUV3, -1, true))
                .withGuestLog(org.vitrine.emulator.spi.GuestLog.Sink.NONE);
        try (VirtBoard board = new VirtBoard(o, b -> { })) {
            board.loadKernel(elf);
            PhysicalMemory ram = board.machine().ram();
            ram.write64(strtab + 64L * SID, 0b101 << 1 | 1 | cd); // STE: stage 1
            ram.write64(cd, 16 | 1L << 31 | 1L << 41 | 7L << 48); // T0SZ 16, V, AA64, ASID 7
            ram.write64(cd + 8, l0);
            ram.write64(l0, l1 | 0b11);
            ram.write64(l1, l2 | 0b11);
            ram.write64(l2, l3 | 0b11);
            ram.write64(leaf, pageA | 0b11 | 1L << 10);
            ram.write32(pageA, 0xAAAA);
            ram.write32(pageB, 0xBBBB);
            Iommu smmu = board.iommu();
            smmu.write(0x80, 4, strtab);
            smmu.write(0x84, 4, 0);
            smmu.write(0x88, 4, 5); // linear, 32 STEs
            smmu.write(0x20, 4, 1); // SMMUEN
            DmaPort port = smmu.port(SID, "test-device");
            assertEquals(0xAAAA, port.read32(IOVA));

            Cpu.Exit exit = board.run(1_000_000_000L);
            assertEquals(Cpu.ExitKind.POWER_OFF, exit.kind(), exit.message());
            assertEquals(newEntry, ram.read64(leaf), "the guest rewrote the entry");

            assertEquals(0xAAAA, port.read32(IOVA), "no invalidation: the IOTLB still sends the DMA to the old page");
            StaleIotlbDetector det = smmu.detector();
            assertEquals(1, det.count());
            StaleIotlbDetector.Report r = det.reports().get(0);
            assertEquals(new StaleIotlbDetector.Report("test-device", IOVA, pageA, pageB, leaf, storePc), r);
            assertTrue(r.toString().contains(String.format("PC 0x%x", storePc)), r.toString());
            assertEquals(1, board.machine().guestLog().source(StaleIotlbDetector.SOURCE).count());
        }
    }
}
