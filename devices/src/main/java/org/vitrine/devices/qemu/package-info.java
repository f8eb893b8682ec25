/**
 * Devices QEMU invented for its machines, as the virt board has them:
 * {@link org.vitrine.devices.qemu.FwCfgMmio}, the firmware configuration interface.
 */
package org.vitrine.devices.qemu;
