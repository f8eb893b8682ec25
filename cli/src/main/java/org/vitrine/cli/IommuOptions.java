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
        return new IommuChoice(model(), latency(), check);
    }

    /** {@code --iommu}, or an {@link IllegalArgumentException}. */
    private IommuChoice.Model model() {
        return switch (model.toLowerCase()) {
            case "none" -> IommuChoice.Model.NONE;
            case "smmuv3" -> IommuChoice.Model.SMMUV3;
            case "vtd" -> IommuChoice.Model.VTD;
            case "amdvi" -> IommuChoice.Model.AMDVI;
            default -> throw new IllegalArgumentException("--iommu '" + model + "' must be none, smmuv3, vtd or amdvi");
        };
    }

    /** {@code --iommu-latency}, or an {@link IllegalArgumentException}. */
    private long latency() {
        if (latencyNanos < -1) throw new IllegalArgumentException("--iommu-latency must be 0 or more nanoseconds");
        return latencyNanos;
    }

    /**
     * With {@code --restore}: the snapshot's machine {@code saved}, with what these options name
     * on the command line in place of its IOMMU's model, latency or detector (what they leave out
     * stays the snapshot's), so that the restore refuses a machine the user asked to differ from
     * the snapshot instead of ignoring the options. An {@link IllegalArgumentException} says what
     * cannot be built (the detector without an IOMMU).
     */
    VirtBoard.Options overriding(VirtBoard.Options saved, CommandLine.Model.CommandSpec spec) {
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        IommuChoice theirs = saved.iommu();
        IommuChoice.Model m;
        long latency;
        try {
            m = given.hasMatchedOption("--iommu") ? model() : theirs.model();
            latency = given.hasMatchedOption("--iommu-latency") ? latency() : theirs.commandNanos();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        boolean detector = given.hasMatchedOption("--iommu-check") || theirs.check() && m != IommuChoice.Model.NONE;
        return saved.withIommu(new IommuChoice(m, latency, detector));
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
