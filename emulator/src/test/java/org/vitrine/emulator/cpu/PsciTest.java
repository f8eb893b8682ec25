package org.vitrine.emulator.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Psci}, the firmware interface of the single-CPU board: PSCI 1.1 version, FEATURES for
 * implemented and unimplemented functions, SYSTEM_OFF / SYSTEM_RESET actions, CPU_ON and
 * AFFINITY_INFO for the boot CPU and for CPUs that do not exist, and NOT_SUPPORTED for unknown
 * ids and ids with any of the upper 32 bits set.
 */
class PsciTest {
    final Psci psci = new Psci();

    Psci.Result call(long fn, long x1) {
        return psci.call(fn, x1, 0, 0);
    }

    static long u32(int fn) {
        return fn & 0xffff_ffffL;
    }

    @Test
    void versionIs11() {
        assertEquals(new Psci.Result(0x0001_0001, Psci.Action.NONE), call(u32(Psci.VERSION), 0));
    }

    @Test
    void featuresOfImplementedFunctions() {
        for (int fn : new int[] {Psci.VERSION, Psci.FEATURES, Psci.SYSTEM_OFF, Psci.SYSTEM_RESET, Psci.MIGRATE_INFO_TYPE,
                Psci.CPU_ON, 0x8400_0003, Psci.AFFINITY_INFO, 0x8400_0004}) {
            assertEquals(new Psci.Result(Psci.SUCCESS, Psci.Action.NONE), call(u32(Psci.FEATURES), u32(fn)),
                    String.format("FEATURES(0x%08x)", fn));
        }
    }

    @Test
    void featuresOfUnimplementedFunctions() {
        for (int fn : new int[] {Psci.CPU_SUSPEND, 0x8400_0001, Psci.CPU_OFF, 0x8400_0005 /* MIGRATE */,
                0x8400_000C /* CPU_DEFAULT_SUSPEND */, 0xC400_0012 /* SYSTEM_RESET2 */, 0x8000_0000 /* SMCCC_VERSION */, 0, -1}) {
            assertEquals(new Psci.Result(Psci.NOT_SUPPORTED, Psci.Action.NONE), call(u32(Psci.FEATURES), u32(fn)),
                    String.format("FEATURES(0x%08x)", fn));
        }
    }

    @Test
    void systemOffPowersOff() {
        assertEquals(new Psci.Result(Psci.SUCCESS, Psci.Action.POWER_OFF), call(u32(Psci.SYSTEM_OFF), 3));
    }

    @Test
    void systemResetResets() {
        assertEquals(new Psci.Result(Psci.SUCCESS, Psci.Action.RESET), call(u32(Psci.SYSTEM_RESET), 0));
    }

    @Test
    void cpuOnBootCpuIsAlreadyOn() {
        for (long fn : new long[] {u32(Psci.CPU_ON), 0x8400_0003L}) {
            assertEquals(new Psci.Result(Psci.ALREADY_ON, Psci.Action.NONE), psci.call(fn, 0, 0x4008_0000L, 0));
            // MPIDR bits outside Aff3..Aff0 (e.g. U bit 30, MT bit 24) do not name another CPU
            assertEquals(Psci.ALREADY_ON, psci.call(fn, 1L << 31, 0, 0).x0());
        }
    }

    @Test
    void cpuOnOtherCpusIsInvalidParameters() {
        for (long target : new long[] {1, 0x100, 0x1_0000, 1L << 32, 0xff_00ff_ffffL}) {
            assertEquals(new Psci.Result(Psci.INVALID_PARAMETERS, Psci.Action.NONE), psci.call(u32(Psci.CPU_ON), target, 0, 0),
                    "CPU_ON 0x" + Long.toHexString(target));
            assertEquals(Psci.INVALID_PARAMETERS, psci.call(0x8400_0003L, target, 0, 0).x0());
        }
    }

    @Test
    void affinityInfo() {
        assertEquals(new Psci.Result(0, Psci.Action.NONE), call(u32(Psci.AFFINITY_INFO), 0), "boot CPU: ON (0)");
        assertEquals(Psci.INVALID_PARAMETERS, call(u32(Psci.AFFINITY_INFO), 1).x0());
    }

    @Test
    void migrateInfoTypeSaysNoTrustedOs() {
        assertEquals(2, call(u32(Psci.MIGRATE_INFO_TYPE), 0).x0());
    }

    @Test
    void unknownIdsAreNotSupported() {
        for (long fn : new long[] {u32(Psci.CPU_SUSPEND), u32(Psci.CPU_OFF), 0, 0x8400_00ffL, 0xC400_0008L, 0x8200_0000L}) {
            assertEquals(new Psci.Result(Psci.NOT_SUPPORTED, Psci.Action.NONE), call(fn, 0), "0x" + Long.toHexString(fn));
        }
    }

    /** The id is 32 bits; a value with upper bits set is not a PSCI function, even if its low half is. */
    @Test
    void idsWithUpperBitsSetAreNotSupported() {
        for (long fn : new long[] {0xffff_ffff_8400_0008L, 0x1_8400_0008L, 0x1_8400_0000L, 0x8000_0000_8400_0009L}) {
            assertEquals(new Psci.Result(Psci.NOT_SUPPORTED, Psci.Action.NONE), call(fn, 0), "0x" + Long.toHexString(fn));
        }
    }
}
