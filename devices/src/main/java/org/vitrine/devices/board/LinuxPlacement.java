package org.vitrine.devices.board;

import org.vitrine.emulator.image.Arm64LinuxImage;

/**
 * Where an arm64 Linux Image, its initrd and the device tree go in RAM, computed as QEMU's
 * hw/arm/boot.c does for {@code -kernel Image [-initrd FILE]}:
 * <ul>
 *   <li>kernel at RAM base + {@link Arm64LinuxImage#loadOffset()} (RAM base is 2 MiB-aligned);
 *   <li>initrd at RAM base + min(RAM/2, 128 MiB), moved above the kernel file if that is higher,
 *       page-aligned;
 *   <li>DTB after the initrd (or where it would start), aligned to 2 MiB because early arm64 kernels
 *       map the 2 MiB block around it.
 * </ul>
 */
public record LinuxPlacement(long kernel, long kernelEnd, long initrd, long initrdSize, long dtb) {
    public static final long PAGE = 0x1000, DTB_ALIGN = 2L << 20;

    /** @throws VirtBoard.ImageException when the pieces do not fit in RAM */
    public static LinuxPlacement compute(long ramBase, long ramSize, Arm64LinuxImage image, long initrdSize, long dtbSize)
            throws VirtBoard.ImageException {
        long ramEnd = ramBase + ramSize;
        long kernel = ramBase + image.loadOffset();
        long kernelEnd = kernel + image.footprint();
        if (kernelEnd > ramEnd) {
            throw new VirtBoard.ImageException(String.format("arm64 Image needs RAM up to 0x%x (loaded at 0x%x, %d MiB) but RAM ends at 0x%x;"
                    + " give more --ram", kernelEnd, kernel, image.footprint() >> 20, ramEnd));
        }
        long initrd = ramBase + Math.min(ramSize / 2, 128L << 20);
        initrd = Math.max(initrd, kernel + image.bytes().length);
        initrd = (initrd + PAGE - 1) & -PAGE;
        if (initrd + initrdSize > ramEnd) {
            throw new VirtBoard.ImageException(String.format("initrd of %d bytes does not fit in RAM after the kernel (from 0x%x, RAM ends at 0x%x)",
                    initrdSize, initrd, ramEnd));
        }
        long dtb = (initrd + initrdSize + DTB_ALIGN - 1) & -DTB_ALIGN;
        if (dtb + dtbSize > ramEnd) {
            throw new VirtBoard.ImageException(String.format("no room for the device tree after kernel and initrd (0x%x, RAM ends at 0x%x)", dtb, ramEnd));
        }
        return new LinuxPlacement(kernel, kernelEnd, initrd, initrdSize, dtb);
    }
}
