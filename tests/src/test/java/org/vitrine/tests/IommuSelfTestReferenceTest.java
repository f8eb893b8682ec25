package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;
import org.vitrine.emulator.cpu.Cpu;

/**
 * rost's SMMUv3 command-queue code on QEMU ({@code -M virt,iommu=smmuv3}) and on Vitrine
 * ({@code --iommu smmuv3}), with {@code rost.iommu.selftest}: QEMU's SMMU translates only PCI
 * devices, so what is compared is the queue itself, which both model: CMD_SYNC completing with
 * CONS reaching PROD, an unknown opcode refused with CONS.ERR = CERROR_ILL and GERROR.CMDQ_ERR,
 * the queue restarting at the fixed command once GERRORN acknowledges it, and CONS's wrap bit
 * after more than 256 commands. The "[iommu]" lines must be the same but for the first, which
 * counts the transports behind the SMMU (none on QEMU: its virtio-mmio devices bypass it).
 */
class IommuSelfTestReferenceTest {
    static final String ARGS = "rost.iommu.selftest";

    static List<String> iommuLines(String console) {
        return console.lines().filter(l -> l.startsWith("[iommu] ")).skip(1).toList();
    }

    @Test
    void smmuv3CommandQueueBehavesAsOnQemu() throws Exception {
        String qemu = Qemu.run(Guest.kernel(), List.of("-M", "virt,iommu=smmuv3", "-append", ARGS), 60);
        assertTrue(qemu.contains("[iommu] smmuv3 at 0x9050000, 0 virtio slots behind it"), qemu);
        Guest.Run vitrine = Guest.vitrine(Guest.kernel(), VirtBoard.Options.defaults().withBootArgs(ARGS)
                .withIommu(new IommuChoice(IommuChoice.Model.SMMUV3, -1, false)), 10_000_000_000L);
        assertEquals(Cpu.ExitKind.POWER_OFF, vitrine.exit().kind(), vitrine.console());
        List<String> expected = List.of(
                "[iommu] self-test: sync ok, cons 0x4, gerror 0x0",
                "[iommu] a command was refused (queue at 6)",
                "[iommu] self-test: bad opcode failed, cons 0x1000004, gerror 0x1",
                "[iommu] self-test: after GERRORN ok, cons 0x1000006, gerror 0x1",
                "[iommu] self-test: 300 commands ok, cons 0x100012e, gerror 0x1");
        assertEquals(expected, iommuLines(qemu), qemu);
        assertEquals(iommuLines(qemu), iommuLines(vitrine.console()), vitrine.console());
    }
}
