package org.vitrine.tests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;
import org.vitrine.devices.iommu.Iotlb;
import org.vitrine.devices.iommu.Smmuv3;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.spi.GuestLog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12's real client: Debian 12's arm64 Linux drives Vitrine's SMMUv3 with its own arm-smmu-v3
 * driver (built into Debian's kernel, CONFIG_ARM_SMMU_V3=y). With {@code --iommu smmuv3} the device
 * tree describes the SMMU as QEMU virt does and gives every virtio-mmio transport
 * {@code iommus = <&smmu slot>}; the transports offer VIRTIO_F_ACCESS_PLATFORM, so Debian's
 * virtio modules map their rings and buffers through the DMA API into IOVAs of a translated
 * (strict) domain. The /init script loads the modules, reads a file from the FAT disk on
 * virtio-blk, and prints what Linux says about the SMMU and the disk's IOMMU group. The test then
 * checks both sides: Linux's messages (probe, groups, no command-queue error, no event) and the
 * model's counters (commands, CMD_SYNCs, IOTLB misses and hits, IOVAs that differ from the
 * physical pages, no fault, no guest error).
 *
 * <p>QEMU ({@code -M virt,iommu=smmuv3}) runs the same initramfs as a sanity check of what both
 * SMMUs show Linux, not of the whole console: QEMU's SMMUv3 translates only PCI devices, so its
 * virtio-mmio devices are not behind it. Linux allocates the same queues and wires the same
 * interrupts on both; the probe line differs by design (see {@link #BY_DESIGN}).
 */
class DebianLinuxSmmuTest {
    @TempDir
    Path dir;

    static final String FILE_TEXT = "Read by Debian's Linux through Vitrine's SMMUv3.";

    /** The disk's transport is found from /sys/block/vda, so the script does not depend on the slot. */
    static final String INIT = DebianGuestFiles.INIT_START + """
            D=$($B readlink -f /sys/block/vda/device/..)
            $B echo "vda: $($B basename $D) in iommu group $($B basename $($B readlink $D/iommu_group)), domain $($B cat $D/iommu_group/type)"
            $B echo "iommu groups: $($B ls /sys/kernel/iommu_groups | $B wc -l)"
            $B dmesg | $B grep arm-smmu-v3
            $B grep arm-smmu-v3 /proc/interrupts
            $B echo INIT-END
            $B poweroff -f
            """;

    /**
     * The probe line, different by design: QEMU 7.2's SMMU has a 44-bit OAS (IDR5.OAS 4) and
     * neither MSIs nor SEV; Vitrine's has a 48-bit OAS, MSIs (Linux then completes its CMD_SYNCs by
     * the MSI write into the command itself) and SEV. Without MSIs Linux says nothing of the missing
     * MSI domain.
     */
    static final String BY_DESIGN = "ias|msi_domain";

    /** Lines of what /init printed that describe the SMMU as Linux set it up, the by-design ones left out. */
    static List<String> smmuSetUp(List<String> init) {
        return init.stream().filter(l -> l.contains("arm-smmu-v3")).map(l -> l.replaceFirst("^\\[ *\\d+\\.\\d+\\] ", ""))
                .filter(l -> !l.matches(".*(" + BY_DESIGN + ").*")).toList();
    }

    @Test
    void debiansArmSmmuV3DriverTranslatesVirtioBlkDma() throws Exception {
        Path initrd = DebianGuestFiles.initrd(dir, INIT, DebianLinuxBootTest.DISK_MODULES);
        Path disk = DebianGuestFiles.fatDisk(dir, FILE_TEXT);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        VirtBoard.Options o = VirtBoard.Options.defaults().withDisk(disk, true).withBootArgs("console=ttyAMA0")
                .withFirmware(new VirtBoard.Options.Firmware(initrd, null, null, 0))
                .withIommu(new IommuChoice(IommuChoice.Model.SMMUV3, -1, false));
        long start = System.nanoTime();
        List<String> vitrineSetUp;
        try (VirtBoard board = new VirtBoard(o, console::write)) {
            board.loadKernel(DebianImages.linuxImage());
            Cpu.Exit e = board.run(30 * board.machine().clock().cyclesPerSecond());
            String log = console.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
            assertEquals(Cpu.ExitKind.POWER_OFF, e.kind(), e + "\n" + log);
            List<String> lines = List.of(log.split("\n"));
            List<String> init = DebianLinuxBootTest.initOutput(lines);
            System.out.println(String.join("\n", init));

            // Linux's side.
            assertTrue(init.contains(FILE_TEXT), "the file from the disk: " + init);
            assertTrue(init.stream().anyMatch(l -> l.matches("vda: a003e00\\.virtio_mmio in iommu group \\d+, domain DMA")),
                    "the disk's transport is in a translated (DMA) domain: " + init);
            assertTrue(init.contains("iommu groups: " + VirtBoard.VIRTIO_SLOTS), "one group per transport: " + init);
            // Features: 2-level stream table, little-endian tables, SEV, MSI, coherent, stage 1, range invalidation.
            assertTrue(log.contains("arm-smmu-v3 9050000.smmuv3: ias 48-bit, oas 48-bit (features 0x000083c5)"), "the driver probed the SMMU: " + log);
            // arm-smmu-v3.c's complaints: command errors, sync timeouts, global errors, events.
            for (String l : lines) {
                assertTrue(!l.contains("arm-smmu-v3 ") || !l.matches(".*(CMDQ error|timeout|global error|skipping command|event 0x).*"),
                        "no command-queue error, timeout or event: " + l);
            }

            // The model's side.
            Smmuv3 smmu = (Smmuv3) board.iommu();
            Iotlb tlb = smmu.iotlb();
            System.out.printf("SMMUv3 after the run: %d commands, %d CMD_SYNCs, IOTLB %d misses, %d hits, %d entries invalidated,"
                    + " %d faults; %d ms host%n", smmu.commandsExecuted(), smmu.syncsCompleted(), tlb.misses(), tlb.hits(),
                    tlb.invalidatedEntries(), smmu.faults(), (System.nanoTime() - start) / 1_000_000);
            assertTrue(smmu.commandsExecuted() > smmu.syncsCompleted() && smmu.syncsCompleted() > 0, "commands and syncs executed");
            assertTrue(tlb.misses() > 0 && tlb.hits() > 0, "DMA translated through table walks and the IOTLB");
            assertTrue(tlb.invalidatedEntries() > 0, "strict mode: unmapped buffers invalidated");
            assertEquals(0, smmu.faults(), "no translation fault");
            Iotlb.Entry remapped = tlb.entries().stream().filter(en -> en.deviceId() == VirtBoard.VIRTIO_SLOTS - 1
                    && en.inputPage() != en.walk().outputPage()).findFirst().orElse(null);
            assertTrue(remapped != null, "the disk's IOVAs are not its physical addresses: " + tlb.entries());
            System.out.printf("e.g. StreamID %d: IOVA 0x%x -> PA 0x%x%n", remapped.deviceId(), remapped.inputPage(), remapped.walk().outputPage());
            assertEquals(0, board.machine().guestLog().count(GuestLog.Kind.GUEST_ERROR), "no guest error");
            vitrineSetUp = smmuSetUp(init);
        }
        List<String> qemu = DebianLinuxBootTest.initOutput(DebianLinuxBootTest.qemu("virt,iommu=smmuv3", initrd, disk, "console=ttyAMA0", List.of()));
        System.out.println("QEMU: " + qemu.stream().filter(l -> l.contains(": ias ")).findFirst().orElse("(no probe line)"));
        assertTrue(vitrineSetUp.size() >= 4, "queues and interrupts: " + vitrineSetUp);
        assertEquals(smmuSetUp(qemu), vitrineSetUp, "the SMMU as Linux sets it up on QEMU and on Vitrine");
    }
}
