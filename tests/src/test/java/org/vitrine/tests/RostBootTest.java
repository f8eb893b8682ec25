package org.vitrine.tests;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.cpu.Cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Boots the real rost kernel on Vitrine (the task demo: the file server, process 1, starts the ten
 * demo tasks as processes 2-11): EL0 tasks are scheduled preemptively, faulting tasks are
 * killed and reported with the architecturally correct syndrome, the others carry on, and the
 * guest powers off with status 0. Two runs are identical to the cycle.
 */
class RostBootTest {
    static Guest.Run first;
    static Guest.Run second;

    @BeforeAll
    static void boot() throws Exception {
        first = Guest.vitrine(Guest.kernel(), 60_000_000_000L);
        second = Guest.vitrine(Guest.kernel(), 60_000_000_000L);
        System.out.println(first.console());
        System.out.printf("cycles %d, instructions %d%n", first.cycles(), first.instructions());
    }

    @Test
    void powersOffWithStatusZero() {
        assertEquals(Cpu.ExitKind.POWER_OFF, first.exit().kind(), first.exit().message());
        assertEquals(0, first.exit().status());
        assertTrue(first.console().contains("[rost] all tasks exited, powering off (status 0)"));
    }

    @Test
    void faultingTasksAreKilledAndReportedWhileOthersCarryOn() {
        String log = first.console();
        assertTrue(log.contains("[rost] task 4 killed: data abort (ESR=0x9200000f FAR=0x0000000040080000"), log);
        assertTrue(log.contains("[rost] task 8 killed: undefined instruction (ESR=0x02000000"), log);
        assertTrue(log.contains("[rost] task 9 killed: breakpoint (BRK) (ESR=0xf200002a"), log);
        assertTrue(log.contains("[rost] task 10 killed: instruction abort (ESR=0x8200000f FAR=0x0000000040080000"), log);
        assertTrue(log.contains("[rost] task 11 killed: data abort (ESR=0x9200004f"), log);
        // tasks after the faults still run to completion
        assertTrue(log.indexOf("task 3: checksum") > log.indexOf("task 11 killed"), log);
        assertTrue(log.contains("task 6: q0-q31, FPCR and FPSR intact"), log);
    }

    @Test
    void badSyscallPointersReturnErrors() {
        assertTrue(first.console().contains("task 5: print_debug(kernel address, 16) = -2"));
        assertTrue(first.console().contains("task 5: syscall 99 = -1"));
    }

    @Test
    void tasksArePreempted() {
        Matcher m = Pattern.compile("\\[rost] stats: (\\d+) timer ticks, (\\d+) preemptions").matcher(first.console());
        assertTrue(m.find(), "stats line");
        assertTrue(Integer.parseInt(m.group(1)) > 100, "timer ticks: " + m.group(1));
        assertTrue(Integer.parseInt(m.group(2)) > 0, "preemptions: " + m.group(2));
    }

    @Test
    void twoRunsAreIdenticalToTheCycle() {
        assertEquals(first.console(), second.console());
        assertEquals(first.cycles(), second.cycles());
        assertEquals(first.instructions(), second.instructions());
    }

    @Test
    void logHasNoHostSideNoise() {
        List<String> lines = first.lines();
        assertEquals("rost v0: booting at EL1", lines.get(0));
    }
}
