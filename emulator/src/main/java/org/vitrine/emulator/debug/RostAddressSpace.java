package org.vitrine.emulator.debug;

/**
 * rost's address spaces as the host tools (debugger, tracer, profiler) read them: each process's
 * ASID in TTBR0_EL1[63:48] is its pid plus one (0 is the kernel's own table, used while idle or
 * booting), and programs live below RAM while the kernel lives in it.
 */
public final class RostAddressSpace {
    /** The top of user addresses: rost maps programs below RAM's base. */
    public static final long USER_TOP = 0x4000_0000L;

    private RostAddressSpace() { }

    /** The ASID of a TTBR0_EL1 value. */
    public static long asid(long ttbr0) {
        return ttbr0 >>> 48;
    }

    /** rost's pid of the address space in a TTBR0_EL1 value; 0 for the kernel's own. */
    public static long pidOf(long ttbr0) {
        long asid = asid(ttbr0);
        return asid == 0 ? 0 : asid - 1;
    }
}
