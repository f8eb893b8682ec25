package org.vitrine.devices.regs;

/**
 * What a byte or halfword access to a register does. (An 8-byte access to a 32-bit register is
 * always refused; a 32-bit access to either half of a 64-bit register is always performed, as
 * the bus delivers 64-bit guest accesses in two halves: see {@code MmioDevice}.) Where in the
 * register a narrow access lands is the map's {@link RegisterMap.Placement}.
 */
public enum NarrowAccess {
    /**
     * A guest error, read as zero, write ignored: for registers whose reads have side effects
     * (GICC_IAR acknowledges), and for interfaces that only define whole-register accesses.
     */
    REFUSED,
    /**
     * A guest error, then performed: the architecture forbids it, but QEMU performs it and guests
     * that work on QEMU rely on that.
     */
    TOLERATED,
    /** Performed silently: the architecture allows it (GICD_IPRIORITYRn bytes, APB registers). */
    ALLOWED
}
