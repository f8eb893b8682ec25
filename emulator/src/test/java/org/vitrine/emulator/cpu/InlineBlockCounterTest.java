package org.vitrine.emulator.cpu;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.spi.MmioDevice;
import org.vitrine.emulator.testutil.GuestAsm;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Unicorn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fixed model's inline block counter (a libunicorn with Vitrine's patch 0005, see
 * NativeBlockClock) gives exactly the figures of the block hook it replaces: the same run is made
 * with the counter and with the hook (-Dvitrine.unicorn.counter=false), and everything the host
 * can observe is compared. The run has what makes the counter leave its fast path: events that
 * end runs at deadlines (a deadline every 7,919 cycles), host stops posted from an event, and a
 * debugger break in the middle of a block whose rest is then resumed as a continuation; and a
 * device that records the precise cycle and instruction count at each of its accesses, inside
 * blocks. Skipped on a library without the patch (Debian's, which CI uses).
 */
class InlineBlockCounterTest {
    private static final long DEVICE = 0x0900_0000L;
    private static final String SOURCE = """
            .equ DEVICE, 0x09000000
            .text
            _start:
                ldr x19, =DEVICE
                mov x20, #3000
            loop:
                add x1, x1, #3
                eor x2, x2, x1
                str x1, [x19]            // the device stamps the cycle in the middle of a block
            cut:
                add x3, x3, x2
                ldr x4, [x19, #8]
                subs x20, x20, #1
                b.ne loop
                ldr x0, =0x84000008
                mov x1, #0
                hvc #0
            1:  b 1b
                .ltorg
            """;

    /** What a run showed the host: the device's stamps, the break, the end. */
    private static List<String> run(boolean inline) throws Exception {
        String before = System.getProperty("vitrine.unicorn.counter");
        System.setProperty("vitrine.unicorn.counter", Boolean.toString(inline));
        List<String> seen = new ArrayList<>();
        GuestAsm.Program prog = GuestAsm.assemble(SOURCE, 0x4008_0000L);
        try (Machine m = new Machine(0x4000_0000L, 16 << 20, TimingModel.fixedCpi(1_000_000_000L, 3), Unicorn.CpuModel.A72)) {
            assertEquals(inline, NativeBlockClock.countsInline());
            Cpu cpu = m.cpu();
            m.map(DEVICE, new MmioDevice() {
                @Override public String name() { return "stamp"; }
                @Override public long size() { return 0x1000; }
                @Override public long read(long offset, int size) {
                    seen.add("read " + offset + " at " + cpu.cyclesNow() + " after " + cpu.instructionsRetired());
                    return cpu.cyclesNow();
                }
                @Override public void write(long offset, int size, long value) {
                    seen.add("write " + value + " at " + cpu.cyclesNow());
                }
            });
            for (long at = 7_919; at < 60_000; at += 7_919) {
                long when = at;
                m.clock().schedule(at, () -> {
                    seen.add("event " + when + " at " + cpu.cyclesNow() + " after " + cpu.instructionsRetired());
                    if (when % 2 == 1) cpu.post(() -> seen.add("host action at " + cpu.cyclesNow()));
                });
            }
            m.ram().write(prog.base(), prog.image(), 0, prog.image().length);
            m.reset(prog.symbol("_start"), 0);
            // a debugger stop in the middle of the loop's block, on its 500th pass
            long cut = prog.symbol("cut");
            int[] passes = {0};
            Cpu.InstructionHook[] hook = new Cpu.InstructionHook[1];
            hook[0] = cpu.hookInstructions(m.unicorn().codeStub((address, size) -> {
                if (address == cut && ++passes[0] == 500) cpu.breakBefore(address);
            }), cut, cut);
            Cpu.Exit exit = m.run(Long.MAX_VALUE);
            assertEquals(Cpu.ExitKind.STOPPED, exit.kind(), exit.message());
            seen.add("break at " + cpu.cyclesNow() + " after " + cpu.instructionsRetired() + ", continuation " + cpu.continuation());
            hook[0].close();
            exit = m.run(Long.MAX_VALUE);
            assertEquals(Cpu.ExitKind.POWER_OFF, exit.kind(), exit.message());
            seen.add("end at " + cpu.cyclesNow() + " after " + cpu.instructionsRetired() + ", " + cpu.statistics());
        } finally {
            if (before == null) System.clearProperty("vitrine.unicorn.counter");
            else System.setProperty("vitrine.unicorn.counter", before);
        }
        return seen;
    }

    @Test
    void theInlineCounterGivesTheHooksFigures() throws Exception {
        assumeTrue(Unicorn.canCountBlocksInline(), "libunicorn without Vitrine's patch 0005");
        List<String> hook = run(false);
        List<String> inline = run(true);
        assertTrue(hook.size() > 6_000, "the device saw every pass: " + hook.size());
        assertTrue(hook.stream().anyMatch(s -> s.startsWith("host action")), "host stops happened");
        assertEquals(hook, inline);
    }
}
