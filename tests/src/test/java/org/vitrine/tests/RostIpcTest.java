package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;

/**
 * rost's IPC round trip (guest-apps/pingpong, the `ipc` workload of {@code vitrine bench}): two
 * processes pass a number back and forth through a shared page, a message each way, and the
 * program reports the round trips, the bad answers and the virtual nanoseconds each took. With
 * QEMU on instruction counting ({@code -icount shift=0,sleep=off}: one instruction, one
 * nanosecond, as Vitrine's fixed model), the whole console must be the same line for line,
 * the cost figure included: the same kernel paths, the same instructions per round trip.
 * The round-trip count arrives through the bootargs ({@code -- N}), as the bench passes it.
 */
class RostIpcTest {
    static final String ARGS = "rost.init=/BIN/PINGPONG -- 2000";
    @TempDir
    Path dir;

    @Test
    void roundTripsAreAllGoodAndCostTheSameVirtualTimeAsOnQemu() throws Exception {
        VirtBoard.Options o = VirtBoard.Options.defaults().withDisk(Guest.disk(dir), false).withBootArgs(ARGS);
        Guest.Run run = Guest.vitrine(Guest.kernel(), o, 60_000_000_000L);
        String log = run.console();
        assertEquals(Cpu.ExitKind.POWER_OFF, run.exit().kind(), log);
        assertEquals(0, run.exit().status(), log);
        assertTrue(log.lines().anyMatch(l -> l.matches("\\[pingpong\\] 2000 round trips, 0 bad, \\d+ ns each in virtual time")), log);

        List<String> qemuArgs = new ArrayList<>(List.of("-icount", "shift=0,sleep=off"));
        qemuArgs.addAll(Guest.qemuDisk(Guest.disk(dir), ARGS));
        String qemu = Qemu.run(Guest.kernel(), qemuArgs, 120);
        assertEquals(Guest.comparable(qemu), Guest.comparable(log), "--- QEMU ---\n" + qemu + "\n--- Vitrine ---\n" + log);
    }

    @Test
    void aBadRoundTripCountIsRefusedWithAUsageLine() throws Exception {
        VirtBoard.Options o = VirtBoard.Options.defaults().withDisk(Guest.disk(dir), false)
                .withBootArgs("rost.init=/BIN/PINGPONG -- 12x");
        Guest.Run run = Guest.vitrine(Guest.kernel(), o, 10_000_000_000L);
        assertEquals(Cpu.ExitKind.POWER_OFF, run.exit().kind(), run.console());
        assertEquals(1, run.exit().status(), run.console());
        assertTrue(run.console().contains("[pingpong] usage: PINGPONG [ROUNDS], ROUNDS a positive number"), run.console());
    }
}
