package org.vitrine.devices.board;

import org.vitrine.devices.arm.GicV2;
import org.vitrine.devices.iommu.AmdViIommu;
import org.vitrine.devices.iommu.Iommu;
import org.vitrine.devices.iommu.Smmuv3;
import org.vitrine.devices.iommu.StaleIotlbDetector;
import org.vitrine.devices.iommu.VtdIommu;
import org.vitrine.emulator.fdt.FdtNode;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.memory.IdentityDmaPort;
import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.unicorn.Arm64Reg;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The virt board's IOMMU ({@code --iommu}): which model, where it sits, its interrupts, the DMA
 * port of each virtio transport behind it, and its device-tree description.
 *
 * <pre>
 *   smmuv3  0x0905_0000 (0x2_0000)  SPI 74..77 = INTID 106..109: eventq, priq, cmdq-sync, gerror (QEMU virt)
 *   vtd     0x0A10_0000 (0x1000)    SPI 78, 79 = INTID 110, 111: fault event, invalidation completion
 *   amdvi   0x0A11_0000 (0x4000)    SPI 80 = INTID 112
 * </pre>
 * VT-d and AMD-Vi are Vitrine extensions: they sit in the gap QEMU's virt leaves between the
 * virtio-mmio transports (up to 0x0A00_4000) and the platform bus (0x0C00_0000), with compatible
 * strings of their own ({@value #VTD_COMPATIBLE}, {@value #AMDVI_COMPATIBLE}); all edge-triggered.
 *
 * <p>Virtio slot n has stream / source / device ID n (VT-d: bus 0, devfn n) and its device-tree
 * node says so: {@code iommus = <&iommu n>}, the IOMMU node having {@code #iommu-cells = <1>}.
 * Without an IOMMU the ports are identity ports, as before.
 */
final class BoardIommu {
    static final long SMMU_BASE = 0x0905_0000L, VTD_BASE = 0x0A10_0000L, AMDVI_BASE = 0x0A11_0000L;
    static final int SMMU_FIRST_SPI = 74, VTD_FIRST_SPI = 78, AMDVI_SPI = 80;
    static final String VTD_COMPATIBLE = "vitrine,vtd", AMDVI_COMPATIBLE = "vitrine,amd-vi";

    private final Machine machine;
    private final VirtBoard.Options.IommuChoice choice;
    private final Iommu iommu;

    BoardIommu(VirtBoard.Options.IommuChoice choice, Machine machine, GicV2 gic) {
        this.machine = machine;
        this.choice = choice;
        long latency = Iommu.latencyCycles(machine.clock(), choice.commandNanos() >= 0 ? choice.commandNanos() : defaultNanos(choice.model()));
        this.iommu = switch (choice.model()) {
            case NONE -> null;
            case SMMUV3 -> new Smmuv3(machine.ram(), machine.clock(), machine.guestLog(), latency, spi(gic, SMMU_FIRST_SPI),
                    spi(gic, SMMU_FIRST_SPI + 1), spi(gic, SMMU_FIRST_SPI + 2), spi(gic, SMMU_FIRST_SPI + 3));
            case VTD -> new VtdIommu(machine.ram(), machine.clock(), machine.guestLog(), latency, spi(gic, VTD_FIRST_SPI),
                    spi(gic, VTD_FIRST_SPI + 1));
            case AMDVI -> new AmdViIommu(machine.ram(), machine.clock(), machine.guestLog(), latency, spi(gic, AMDVI_SPI));
        };
        if (iommu == null) return;
        machine.map(base(), iommu);
        if (choice.check()) installCheck();
    }

    private static org.vitrine.emulator.spi.InterruptLine spi(GicV2 gic, int spi) {
        return gic.line(32 + spi);
    }

    static long defaultNanos(VirtBoard.Options.IommuChoice.Model model) {
        return switch (model) {
            case NONE -> 0;
            case SMMUV3 -> Smmuv3.DEFAULT_COMMAND_NANOS;
            case VTD -> VtdIommu.DEFAULT_COMMAND_NANOS;
            case AMDVI -> AmdViIommu.DEFAULT_COMMAND_NANOS;
        };
    }

    private long base() {
        return switch (choice.model()) {
            case SMMUV3 -> SMMU_BASE;
            case VTD -> VTD_BASE;
            case AMDVI -> AMDVI_BASE;
            case NONE -> throw new IllegalStateException();
        };
    }

    /**
     * {@code --iommu-check}: the detector, fed by a memory-write hook over RAM that records the PC
     * of each guest store into a table entry some cached translation depends on. The hook slows
     * every guest store (Unicorn runs its memory-hook path for all of them), so it is installed
     * only on request.
     */
    private void installCheck() {
        StaleIotlbDetector detector = new StaleIotlbDetector(machine.ram(), machine.guestLog());
        iommu.check(detector);
        Unicorn uc = machine.unicorn();
        uc.hookMemory(Unicorn.HOOK_MEM_WRITE, (type, address, size, value) -> {
            if (detector.isWatched(address) || detector.isWatched(address + size - 1)) detector.onGuestWrite(address, size, uc.reg(Arm64Reg.PC));
        }, machine.ram().base(), machine.ram().end() - 1);
    }

    /** The IOMMU model, or null with {@code --iommu none}. */
    Iommu model() {
        return iommu;
    }

    /** The DMA port of the device in virtio slot {@code slot}. */
    DmaPort port(int slot, String device) {
        return iommu == null ? new IdentityDmaPort(machine.ram(), device) : iommu.port(slot, device);
    }

    /** Adds the IOMMU's node under {@code root}; returns it, or null without an IOMMU. */
    FdtNode describe(FdtNode root, FdtNode apbClock) {
        if (iommu == null) return null;
        FdtNode n = switch (choice.model()) {
            case SMMUV3 -> root.child(String.format("smmuv3@%x", SMMU_BASE)).string("compatible", "arm,smmu-v3")
                    .u64s("reg", SMMU_BASE, Smmuv3.SIZE)
                    .u32s("interrupts", 0, SMMU_FIRST_SPI, 1, 0, SMMU_FIRST_SPI + 1, 1, 0, SMMU_FIRST_SPI + 2, 1, 0, SMMU_FIRST_SPI + 3, 1)
                    .strings("interrupt-names", "eventq", "priq", "cmdq-sync", "gerror")
                    .string("clock-names", "apb_pclk").u32s("clocks", apbClock.phandle());
            case VTD -> root.child(String.format("iommu@%x", VTD_BASE)).string("compatible", VTD_COMPATIBLE)
                    .u64s("reg", VTD_BASE, VtdIommu.SIZE).u32s("interrupts", 0, VTD_FIRST_SPI, 1, 0, VTD_FIRST_SPI + 1, 1)
                    .strings("interrupt-names", "fault", "invalidation");
            case AMDVI -> root.child(String.format("iommu@%x", AMDVI_BASE)).string("compatible", AMDVI_COMPATIBLE)
                    .u64s("reg", AMDVI_BASE, AmdViIommu.SIZE).u32s("interrupts", 0, AMDVI_SPI, 1);
            case NONE -> throw new IllegalStateException();
        };
        return n.empty("dma-coherent").u32("#iommu-cells", 1);
    }

    /** Says in the device tree that virtio slot {@code slot}'s node {@code device} sits behind {@code iommuNode}. */
    static void attach(FdtNode device, FdtNode iommuNode, int slot) {
        if (iommuNode != null) device.u32s("iommus", iommuNode.phandle(), slot);
    }
}
