/**
 * The register map every MMIO device declares its registers with: {@link
 * org.vitrine.devices.regs.RegisterMap} (the lookup table and the one policy for bad accesses),
 * {@link org.vitrine.devices.regs.Register} (offset, width, access, reset value, fields, and where
 * the value lives), {@link org.vitrine.devices.regs.Field} (named bit ranges, implemented or not),
 * {@link org.vitrine.devices.regs.Access} and {@link org.vitrine.devices.regs.NarrowAccess}.
 */
package org.vitrine.devices.regs;
