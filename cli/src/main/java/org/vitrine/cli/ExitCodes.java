package org.vitrine.cli;

/**
 * Exit codes of the {@code vitrine} command. A guest that powers off passes its own status
 * (PSCI SYSTEM_OFF with the status in x1), truncated to 0..255 like a process exit status.
 */
public final class ExitCodes {
    private ExitCodes() { }

    /** Bad command-line arguments (picocli's usage error code). */
    public static final int USAGE = 2;
    /** The guest hung: waiting for an interrupt that nothing can raise. */
    public static final int GUEST_HANG = 3;
    /**
     * The guest is stuck taking aborts without completing an instruction (e.g. its vector table is
     * in a hole, so every abort aborts again). Accesses to holes alone are not fatal: the guest
     * takes a synchronous external abort, as on QEMU.
     */
    public static final int GUEST_ABORT_LOOP = 4;
    /** The kernel or disk image could not be loaded (missing file, broken ELF, does not fit). */
    public static final int BAD_IMAGE = 5;
    /** A window was asked for and none can be opened (no display server). */
    public static final int NO_WINDOW = 6;
    /** Something went wrong in Vitrine itself, or libunicorn failed (an emulation error). */
    public static final int HOST_ERROR = 70;

    /** Maps a guest's status to a process exit status: 0 stays 0, anything else is never 0. */
    public static int fromGuestStatus(long status) {
        if (status == 0) return 0;
        int low = (int) (status & 0xff);
        return low == 0 ? 1 : low;
    }
}
