package org.vitrine.cli.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.GuestLog.Kind;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@link LogOptions} as picocli parses them: QEMU's names and ours, unknown names refused with the
 * valid ones listed, a log file that cannot be created refused before anything runs, and what a
 * session built from the options prints where.
 */
class LogOptionsTest {
    @TempDir
    Path dir;

    @Command(name = "t")
    static final class Holder {
        @CommandLine.Mixin
        LogOptions log;
    }

    static LogOptions parse(String... args) {
        Holder h = new Holder();
        new CommandLine(h).parseArgs(args);
        return h.log;
    }

    @Test
    void offByDefault() throws Exception {
        LogOptions o = parse();
        assertEquals(EnumSet.noneOf(Kind.class), o.kinds());
        try (GuestLogSession s = o.open(System.err)) {
            assertSame(GuestLog.Sink.NONE, s.sink());
        }
    }

    @Test
    void takesQemusNamesAndOurs() {
        assertEquals(EnumSet.of(Kind.GUEST_ERROR), parse("--log", "guest-errors").kinds());
        assertEquals(EnumSet.of(Kind.GUEST_ERROR), parse("--log", "guest_errors").kinds());
        assertEquals(EnumSet.of(Kind.UNIMPLEMENTED), parse("--log", "unimp").kinds());
        assertEquals(EnumSet.of(Kind.UNIMPLEMENTED), parse("--log", "unimplemented").kinds());
        assertEquals(EnumSet.allOf(Kind.class), parse("--log", "guest_errors,unimp").kinds());
        assertEquals(EnumSet.allOf(Kind.class), parse("--log", "unimp", "--log", "guest-errors").kinds());
    }

    @Test
    void anUnknownNameIsRefusedWithTheValidOnes() {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> parse("--log", "guest-errors,in_asm"));
        assertTrue(e.getMessage().contains("unknown log 'in_asm'; valid: guest-errors (QEMU's guest_errors), unimp (or unimplemented)"),
                e.getMessage());
    }

    @Test
    void aFileAloneLogsEveryKindThere() throws Exception {
        Path file = dir.resolve("guest.log");
        LogOptions o = parse("--log-file", file.toString());
        assertEquals(EnumSet.allOf(Kind.class), o.kinds());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        try (GuestLogSession s = o.open(errStream)) {
            GuestLog log = new GuestLog(s.sink());
            s.started(log);
            log.source("pl011").guestError("read of reserved offset 0x%03x", 0x50);
            log.source("pl011").unimplemented("UARTITCR");
            s.finished(log);
            s.summarize(errStream);
        }
        assertEquals("[guest-error] pl011: read of reserved offset 0x050\n[unimplemented] pl011: UARTITCR\n", Files.readString(file));
        assertEquals("[vitrine] guest errors: 1 (pl011: 1); unimplemented: 1 (pl011: 1); logged in " + file + "\n",
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFileThatCannotBeCreatedIsRefusedBeforeAnythingRuns() throws Exception {
        LogOptions missingDir = parse("--log", "guest-errors", "--log-file", dir.resolve("no/such/dir/g.log").toString());
        LogOptions.UnwritableException e = assertThrows(LogOptions.UnwritableException.class, () -> missingDir.open(System.err));
        assertEquals("cannot write the log file " + dir.resolve("no/such/dir/g.log") + ": no such directory", e.getMessage());
        LogOptions aDirectory = parse("--log-file", dir.toString());
        e = assertThrows(LogOptions.UnwritableException.class, () -> aDirectory.open(System.err));
        assertTrue(e.getMessage().startsWith("cannot write the log file " + dir + ": "), e.getMessage());
    }
}
