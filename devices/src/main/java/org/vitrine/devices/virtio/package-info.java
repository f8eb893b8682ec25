/**
 * VirtIO 1.2: the virtio-mmio transport ({@link org.vitrine.devices.virtio.VirtioMmio}), split
 * virtqueues ({@link org.vitrine.devices.virtio.Virtqueue}), the contract between transport and
 * device ({@link org.vitrine.devices.virtio.VirtioDevice}), and the block and input devices. The
 * GPU, larger, has its own package. Where transports sit on a board is the board's business.
 */
package org.vitrine.devices.virtio;
