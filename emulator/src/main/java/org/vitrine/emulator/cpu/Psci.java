package org.vitrine.emulator.cpu;

/**
 * The PSCI firmware interface a single-CPU virt board offers over HVC and SMC (SMC Calling
 * Convention: function id in x0, arguments x1..x3, result in x0). Reports PSCI 1.1 like QEMU 7.2.
 *
 * <p>SYSTEM_OFF ends the run; Vitrine's convention is that x1 carries the guest's exit status
 * (QEMU ignores it). CPU_ON has no CPU to bring up: the boot CPU answers ALREADY_ON, others
 * INVALID_PARAMETERS.
 */
public final class Psci {
    public static final int VERSION = 0x8400_0000, CPU_SUSPEND = 0xC400_0001, CPU_OFF = 0x8400_0002,
            CPU_ON = 0xC400_0003, AFFINITY_INFO = 0xC400_0004, MIGRATE_INFO_TYPE = 0x8400_0006,
            SYSTEM_OFF = 0x8400_0008, SYSTEM_RESET = 0x8400_0009, FEATURES = 0x8400_000A;
    public static final long SUCCESS = 0, NOT_SUPPORTED = -1, INVALID_PARAMETERS = -2, ALREADY_ON = -4;

    /** What the call asks of the machine beyond its return value. */
    public enum Action { NONE, POWER_OFF, RESET }

    public record Result(long x0, Action action) { }

    /** Performs PSCI call {@code function} (x0) with arguments x1..x3. */
    public Result call(long function, long x1, long x2, long x3) {
        int fn = (int) function;
        // SMC32 ids are also accepted in their 64-bit (0xC4...) form and vice versa where PSCI defines both.
        if ((function >>> 32) != 0) return new Result(NOT_SUPPORTED, Action.NONE);
        return switch (fn) {
            case VERSION -> new Result(0x0001_0001, Action.NONE);
            case FEATURES -> new Result(isImplemented((int) x1) ? SUCCESS : NOT_SUPPORTED, Action.NONE);
            case SYSTEM_OFF -> new Result(SUCCESS, Action.POWER_OFF);
            case SYSTEM_RESET -> new Result(SUCCESS, Action.RESET);
            case MIGRATE_INFO_TYPE -> new Result(2, Action.NONE); // no trusted OS to migrate
            case CPU_ON, 0x8400_0003 -> new Result((x1 & 0xff_00ff_ffffL) == 0 ? ALREADY_ON : INVALID_PARAMETERS, Action.NONE);
            case AFFINITY_INFO, 0x8400_0004 -> new Result((x1 & 0xff_00ff_ffffL) == 0 ? 0 : INVALID_PARAMETERS, Action.NONE);
            default -> new Result(NOT_SUPPORTED, Action.NONE);
        };
    }

    private static boolean isImplemented(int fn) {
        return switch (fn) {
            case VERSION, FEATURES, SYSTEM_OFF, SYSTEM_RESET, MIGRATE_INFO_TYPE, CPU_ON, 0x8400_0003, AFFINITY_INFO,
                 0x8400_0004 -> true;
            default -> false;
        };
    }
}
