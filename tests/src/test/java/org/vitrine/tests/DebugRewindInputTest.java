package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vitrine.cli.DebugSessions;
import org.vitrine.devices.board.BoardSnapshot;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.cpu.ObservableRegisters;
import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.debug.Position;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.display.HostInput.Target;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.time.TimingModel;

/**
 * Rewinding over window input lands in the same past. Two identical machines (the real rost
 * kernel and its boot screen program, which logs every input event) are given the same host input
 * at the same instants: a key posted while the debugger holds the guest at the start, a tablet
 * move posted from inside the run when the guest logs that key (so it arrives mid-run, as a
 * window's does), and a second key at a time-limit stop. The reference machine stops at every
 * {@code sched::Scheduler::woken} (the kernel calls it for each input interrupt, so each hit exists
 * only because of the input) and records the state there. The other runs through without stopping
 * and without checkpoints on the way, then reverse-continues to each hit in turn: each rewind
 * replays from a checkpoint before the input across it, and must land on the reference's state
 * (position, cycles, registers, RAM and every device). Reverse steps back to the stop where an
 * input was given land on the reference's steps too, that input not yet given at the stop itself. Last, a key posted while the machine is
 * in the past reaches the guest only once the run is back at its furthest point, once. Under both
 * timing models: with a53 the checkpoints carry the model's state (and a cut block's rest), and the
 * CPU's run-loop state compared at each landing includes it byte for byte.
 */
class DebugRewindInputTest {
    private static final long BOOT = 400_000_000L;
    private static final long MID = BOOT + 40_000_000L;
    private static final long END = BOOT + 80_000_000L;
    private static final int KEY_H = 35, KEY_J = 36, KEY_K = 37;

    record State(Position at, Map<String, Long> regs, Map<String, byte[]> sections) { }

    /** One machine: the board booted to its boot screen, a debugger engine over it, its console. */
    static final class Machine implements AutoCloseable {
        final StringBuilder console = new StringBuilder();
        final VirtBoard board;
        final Debugger debugger;
        final DebugEngine engine;
        private final AtomicBoolean tabletPosted = new AtomicBoolean();

        Machine(TimingModel.Pipeline timing) throws Exception {
            VirtBoard.Options o = VirtBoard.Options.defaults().withDesktop(new VirtBoard.Options.Display(1280, 800));
            o = o.withTiming(o.timing().with(timing));
            board = new VirtBoard(o, b -> {
                synchronized (console) {
                    console.append((char) b);
                    // the host moves the pointer once the guest has taken the key: mid-run, as a window would
                    if (console.indexOf("[input] key " + KEY_H + " up") >= 0 && tabletPosted.compareAndSet(false, true)) {
                        board().input().post(new HostInput.Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_X, 8192));
                        board().input().post(new HostInput.Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_Y, 8192));
                        board().input().post(HostInput.sync(Target.TABLET));
                    }
                }
            });
            board.loadKernel(Guest.kernel());
            Cpu.Exit booted = board.run(BOOT);
            assertEquals(Cpu.ExitKind.TIME_LIMIT, booted.kind(), booted.message());
            assertTrue(console().contains("[rost] boot screen up, waiting for input"), console());
            debugger = new Debugger(board.machine());
            engine = DebugSessions.engine(board, debugger, Guest.kernel());
            engine.setTimeLimit(END);
        }

        VirtBoard board() {
            return board;
        }

        String console() {
            synchronized (console) {
                return console.toString();
            }
        }

        void key(int code) {
            for (int v : new int[] {1, 0}) {
                board.input().post(new HostInput.Event(Target.KEYBOARD, HostInput.EV_KEY, code, v));
                board.input().post(HostInput.sync(Target.KEYBOARD));
            }
        }

        long woken() {
            OptionalLong a = engine.symbols().resolve("sched::Scheduler::woken");
            assertTrue(a.isPresent(), "sched::Scheduler::woken in the kernel's symbols");
            return a.getAsLong();
        }

        State state() {
            Map<String, byte[]> sections = new TreeMap<>();
            for (Snapshot.Section s : BoardSnapshot.take(board, "test").sections()) {
                // the CPU's raw libunicorn context holds host-side fields: its registers are compared as read, and its run-loop state
                sections.put(s.name(), s.name().equals("cpu") ? SnapshotEquivalenceTest.loopState(s.body()) : s.body());
            }
            return new State(engine.position(), ObservableRegisters.read(board.machine().unicorn()), sections);
        }

        @Override
        public void close() {
            engine.close();
            debugger.close();
            board.close();
        }
    }

    /**
     * The reference: the same input at the same instants, stopping at every input interrupt's
     * wake-up (and adding to {@code stepped} the state one instruction after each).
     */
    private static List<State> reference(TimingModel.Pipeline timing, List<State> steps, List<State> stepped) throws Exception {
        List<State> hits = new ArrayList<>();
        try (Machine m = new Machine(timing)) {
            m.engine.breakAt(m.woken(), OptionalLong.empty());
            m.key(KEY_H);
            m.engine.setTimeLimit(MID);
            DebugEngine.Stop s;
            while ((s = m.engine.cont()).reason() == DebugEngine.Reason.BREAKPOINT) hitAndStep(m, hits, stepped);
            assertEquals(Cpu.ExitKind.TIME_LIMIT, s.exit().kind(), s.detail());
            m.key(KEY_J);   // at a stop, as while the user looks at the debugger
            m.engine.setTimeLimit(END);
            steps.add(m.state());
            for (int i = 0; i < 3; i++) {
                m.engine.step(1);
                steps.add(m.state());
            }
            m.engine.setTimeLimit(END);
            while ((s = m.engine.cont()).reason() == DebugEngine.Reason.BREAKPOINT) hitAndStep(m, hits, stepped);
            assertEquals(Cpu.ExitKind.TIME_LIMIT, s.exit().kind(), s.detail());
            String log = m.console();
            for (String seen : List.of("[input] key 35 down", "[input] key 35 up", "[input] tablet x=8192 y=8192", "[input] key 36 down")) {
                assertTrue(log.contains(seen), "the reference guest logged " + seen + ":\n" + log);
            }
        }
        return hits;
    }

    private static void hitAndStep(Machine m, List<State> hits, List<State> stepped) {
        hits.add(m.state());
        m.engine.step(1);
        stepped.add(m.state());
    }

    @ParameterizedTest
    @EnumSource(TimingModel.Pipeline.class)
    void reverseContinueAndReverseStepAcrossWindowInputLandWhereTheForwardRunWas(TimingModel.Pipeline timing) throws Exception {
        List<State> steps = new ArrayList<>(), stepped = new ArrayList<>();
        List<State> hits = reference(timing, steps, stepped);
        assertTrue(hits.size() >= 3, "input interrupts in the reference run: " + hits.size());
        System.out.printf("[rewind-input] reference: %d input wake-ups, at %s%n", hits.size(), hits.stream().map(State::at).toList());
        System.out.printf("[rewind-input] reference steps after the key at the stop: %s%n", steps.stream().map(State::at).toList());

        try (Machine m = new Machine(timing)) {
            m.engine.setSnapshotInterval(Long.MAX_VALUE / 4);   // no checkpoints on the way: every rewind replays the input
            List<Long> liveCycles = new ArrayList<>();
            m.board.input().addDeliveryListener(d -> liveCycles.add(d.cycle()));
            m.key(KEY_H);
            m.engine.setTimeLimit(MID);
            assertEquals(DebugEngine.Reason.EXITED, m.engine.cont().reason());
            m.key(KEY_J);
            m.engine.setTimeLimit(END);
            assertSame(steps.getFirst(), m.state(), "the stop where the second key is posted");
            for (int i = 1; i < steps.size(); i++) {
                m.engine.step(1);
                assertSame(steps.get(i), m.state(), "step " + i + " after the key");
            }
            // Reverse steps back over the key given at that stop (they replay from the start, over the first key and the tablet).
            for (int i = steps.size() - 2; i >= 0; i--) {
                assertEquals(DebugEngine.Reason.STEP, m.engine.reverseStep(1).reason());
                assertSame(steps.get(i), m.state(), "reverse step to step " + i);
            }
            assertEquals(DebugEngine.Reason.EXITED, m.engine.cont().reason());
            assertEquals(3, m.engine.inputDeliveries(), "key, tablet, key: " + liveCycles);
            long present = m.board.machine().cpu().cycles();

            // Back to each input wake-up in turn.
            m.engine.breakAt(m.woken(), OptionalLong.empty());
            for (int i = hits.size() - 1; i >= 0; i--) {
                DebugEngine.Stop s = m.engine.reverseCont();
                assertEquals(DebugEngine.Reason.BREAKPOINT, s.reason(), "reverse continue to wake-up " + i + ": " + s.detail());
                assertSame(hits.get(i), m.state(), "wake-up " + i);
                // one instruction on, both have run the block's start: the same state byte for byte
                m.engine.step(1);
                assertSame(stepped.get(i), m.state(), "a step after wake-up " + i);
                assertArrayEquals(stepped.get(i).sections().get("cpu"), m.state().sections().get("cpu"), "a step after wake-up " + i + ": CPU");
                assertEquals(DebugEngine.Reason.STEP, m.engine.reverseStep(1).reason());
                assertSame(hits.get(i), m.state(), "back at wake-up " + i);
            }
            assertEquals(DebugEngine.Reason.HISTORY_START, m.engine.reverseCont().reason(), "no wake-up before the first input");
            m.engine.deleteBreakpoint(m.engine.breakpoints().getFirst().id());

            // A key posted now, with the machine in the past, waits for the present and arrives once.
            int before = liveCycles.size();
            m.key(KEY_K);
            m.engine.setTimeLimit(END + 20_000_000L);
            assertEquals(DebugEngine.Reason.EXITED, m.engine.cont().reason());
            assertEquals(before + 1, liveCycles.size(), "one new delivery: " + liveCycles);
            assertTrue(liveCycles.getLast() >= present, "the key held in the past reached the guest at cycle " + liveCycles.getLast()
                    + ", the present was " + present);
            String log = m.console();
            int k = log.indexOf("[input] key 37 down");
            assertTrue(k >= 0 && log.indexOf("[input] key 37 down", k + 1) < 0, "key 37 logged once:\n" + log);
            assertTrue(log.lastIndexOf("[input] key 36 up") < k, "key 37 after the replayed key 36:\n" + log);
            System.out.printf("[rewind-input] %d restores; the held key reached the guest at cycle %d (present %d)%n",
                    m.engine.restores(), liveCycles.getLast(), present);
        }
    }

    /** Where the CPU section's run-loop state has the continuation: past the layout-1 fields (cycles ... CNTKCTL_EL1). */
    private static final int CONTINUATION = 8 * 3 + 3 + 8 + 4 + 8;

    /**
     * The CPU's run-loop state alike, byte for byte (with a53, the timing model's whole state too),
     * or differing only in how the same instant is held: a breakpoint hit at the first instruction
     * of a block cuts it after the block clock charged it (and the a53 model costed it), giving it
     * all back and resuming it as the cut block's rest (charged what was given back, without the
     * model); a replay that reaches the same instant by its time limit stops before that block, and
     * the model costs it on resuming. Either way the block then costs the same and leaves the model
     * in the same state; everything up to the continuation (cycles, instructions, IRQ, WFI) must
     * still be equal. The test steps one instruction on from each such landing and compares exactly.
     */
    private static boolean sameCpu(State expected, State actual) {
        byte[] a = expected.sections().get("cpu"), b = actual.sections().get("cpu");
        if (Arrays.equals(a, b)) return true;
        if (!Arrays.equals(a, 0, CONTINUATION, b, 0, CONTINUATION)) return false;
        long cutA = continuation(a), cutB = continuation(b);
        long pc = expected.at().pc();
        return cutA == pc && cutB == Position.ANY_PC || cutB == pc && cutA == Position.ANY_PC;
    }

    private static long continuation(byte[] loop) {
        return java.nio.ByteBuffer.wrap(loop, CONTINUATION, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static void assertSame(State expected, State actual, String what) {
        assertEquals(expected.at(), actual.at(), what + ": position");
        assertEquals(expected.regs(), actual.regs(), what + ": registers");
        assertEquals(expected.sections().keySet(), actual.sections().keySet(), what + ": sections");
        List<String> differing = new ArrayList<>();
        for (String name : expected.sections().keySet()) {
            // the host's queue of posted, undelivered input: at a stop where input was given the
            // reference holds it there, a rewound machine in its journal (the same delivery on
            // resume, checked by the console's key lines); every guest-visible part must match
            if (name.equals("host-input")) continue;
            if (name.equals("cpu") && sameCpu(expected, actual)) continue;
            if (!Arrays.equals(expected.sections().get(name), actual.sections().get(name))) differing.add(name);
        }
        assertTrue(differing.isEmpty(), what + ": machine state differs in " + differing);
    }
}
