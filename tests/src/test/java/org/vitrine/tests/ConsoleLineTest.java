package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Pattern;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;

/**
 * Long console lines from a program (librost's {@code Line}, one print_debug per line): a line
 * keeps its newline whatever its length, and text beyond {@code librost::LINE_MAX} (255 bytes) is
 * cut. A full line used to lose its newline and run into the next one. guest-apps/hello prints
 * {@code task N: argc 2: /BIN/HELLO <argument>} (27 bytes before the argument) and then
 * {@code task N: writable data: 42}, so the argument's length sets the first line's.
 */
class ConsoleLineTest {
    private static final String PREFIX = "argc 2: /BIN/HELLO ";
    private static final int LINE_MAX = 255;
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {119, 120, 124, 255, 256, 400})
    void aLineEndsWithItsNewlineWhateverItsLength(int length) throws Exception {
        String task = "task 2: ";
        String argument = "x".repeat(length - task.length() - PREFIX.length());
        VirtBoard.Options o = VirtBoard.Options.defaults().withDisk(Guest.disk(dir), false)
                .withBootArgs("rost.init=/BIN/HELLO -- " + argument);
        Guest.Run run = Guest.vitrine(Guest.kernel(), o, 10_000_000_000L);
        String log = run.console();
        assertEquals(Cpu.ExitKind.POWER_OFF, run.exit().kind(), log);
        assertEquals(0, run.exit().status(), log);
        String printed = (task + PREFIX + argument).substring(0, Math.min(length, LINE_MAX));
        assertTrue(Pattern.compile("(?m)^" + Pattern.quote(printed) + "\n" + Pattern.quote(task) + "writable data: 42\n").matcher(log).find(),
                "the " + length + "-byte line, cut at " + LINE_MAX + ", then its own newline and the next line:\n" + log);
    }
}
