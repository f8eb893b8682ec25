package org.vitrine.emulator.profile;

import java.util.List;

/**
 * rost's system-call names by number, as {@code kernel-image/abi}'s {@code Sysno} numbers them
 * (x8 at the SVC). The ABI crate is the source; a test reads its {@code from_raw} table and
 * checks this list against it, so the two cannot drift apart.
 */
public final class RostSyscalls {
    private RostSyscalls() { }

    /** Index = number; index 0 is not a system call. */
    static final List<String> NAMES = List.of("?", "print_debug", "get_pid", "yield", "sleep", "exit", "spawn", "wait",
            "kill", "uptime", "send_message", "recv_message", "shm_create", "shm_map", "shm_unmap", "shm_destroy",
            "fb_info", "fb_map", "fb_flush", "poll_event", "blk_read", "blk_write", "wm_pid", "proc_info", "mem_info");

    public static final int SEND_MESSAGE = 10, RECV_MESSAGE = 11;

    /** The name of system call {@code number}, or {@code syscall N} for one rost does not have. */
    public static String name(long number) {
        return number > 0 && number < NAMES.size() ? NAMES.get((int) number) : "syscall " + number;
    }
}
