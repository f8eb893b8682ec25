/**
 * Boards: the devices of the other packages wired into a machine at their addresses and
 * interrupt numbers, described to the guest by a device tree. Today the one board is QEMU's
 * {@code -M virt} subset, {@link org.vitrine.devices.board.VirtBoard}.
 */
package org.vitrine.devices.board;
