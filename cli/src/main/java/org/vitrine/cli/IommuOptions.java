package org.vitrine.cli;

import org.vitrine.devices.board.VirtBoard;
import org.vitrine.devices.board.VirtBoard.Options.IommuChoice;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --iommu}, {@code --iommu-check} and {@code --iommu-latency}, shared by {@code run},
 * {@code script} and {@code bench} (a picocli mixin).
 */
public final class IommuOptions {
    @Option(names = "--iommu", paramLabel = "MODEL", defaultValue = "none",
            description = {"Put every virtio device behind an IOMMU: none (default), smmuv3 (Arm SMMUv3 at QEMU virt's 0x9050000), "
                    + "vtd (Intel VT-d) or amdvi (AMD-Vi), described in the device tree (iommus properties). "
                    + "Until the guest enables it, DMA passes through untranslated, as on hardware."})
    String model;

    @Option(names = "--iommu-check",
            description = "Report every DMA that used a cached translation whose page-table entry the guest changed without "
                    + "a completed invalidation (device, IOVA, old and new physical address, PC of the table write), as guest "
                    + "errors from 'iommu-check'. Slows guest stores (a memory-write hook).")
    boolean check;

    @Option(names = "--iommu-latency", paramLabel = "NS", defaultValue = "-1",
            description = "Virtual nanoseconds each queued IOMMU command takes to complete (default: the model's, 1000).")
    long latencyNanos;

    /** The choice, or an {@link IllegalArgumentException} naming what is wrong. */
    IommuChoice choice() {
        IommuChoice.Model m = switch (model.toLowerCase()) {
            case "none" -> IommuChoice.Model.NONE;
            case "smmuv3" -> IommuChoice.Model.SMMUV3;
            case "vtd" -> IommuChoice.Model.VTD;
            case "amdvi" -> IommuChoice.Model.AMDVI;
            default -> throw new IllegalArgumentException("--iommu '" + model + "' must be none, smmuv3, vtd or amdvi");
        };
        if (latencyNanos < -1) throw new IllegalArgumentException("--iommu-latency must be 0 or more nanoseconds");
        return new IommuChoice(m, latencyNanos, check);
    }

    /** {@code options} with the IOMMU these options ask for; bad values are the command line's error. */
    VirtBoard.Options applyTo(VirtBoard.Options options, CommandLine.Model.CommandSpec spec) {
        try {
            return options.withIommu(choice());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
