/**
 * PCI: {@link org.vitrine.devices.pci.PciHostEcam}, the generic PCIe host bridge of QEMU's virt board
 * (configuration space through ECAM, {@code pci-host-ecam-generic}), with its host-bridge function.
 */
package org.vitrine.devices.pci;
