/**
 * The device models of Vitrine and the board that wires them, one package per family:
 * <pre>
 *   board         VirtBoard: QEMU's -M virt memory map, interrupt wiring, virtio slots, device tree
 *   arm           Arm platform devices: GicV2 (interrupt controller), Pl011 (UART), Pl031 (RTC)
 *   virtio        the virtio-mmio transport (VirtioMmio, Virtqueue, VirtioDevice) and the simple
 *                 virtio devices (VirtioBlk, VirtioInput)
 *   virtio.gpu    the virtio GPU: command handling, resource table, pixel formats, scanout
 *   regs          the register map every MMIO device declares its registers with, and the one
 *                 policy for bad accesses
 * </pre>
 * The IOMMUs (SMMUv3, VT-d, AMD-Vi) will form an {@code iommu} package: each implements
 * {@link org.vitrine.emulator.spi.DmaPort} for the devices behind it and declares its registers
 * with {@code regs}.
 *
 * <p>Dependencies point one way: board → arm, virtio → regs → emulator's spi. A device never
 * reaches the machine other than through the interfaces it is given (MMIO, interrupt lines,
 * DMA port, guest log).
 */
package org.vitrine.devices;
