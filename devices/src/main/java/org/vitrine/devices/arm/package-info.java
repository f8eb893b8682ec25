/**
 * The Arm platform devices of the {@code virt} board: the GICv2 interrupt controller, the PL011
 * UART and the PL031 real-time clock. Each is a set of MMIO registers and interrupt wires, with
 * no knowledge of where the board maps it.
 */
package org.vitrine.devices.arm;
