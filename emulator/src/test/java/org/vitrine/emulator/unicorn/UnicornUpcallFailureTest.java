package org.vitrine.emulator.unicorn;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.testutil.GuestAsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The binding's most important promise: an exception thrown inside any hook or MMIO callback does
 * not reach native frames (which would kill the JVM). {@link Unicorn#start} rethrows the very same
 * exception instance after uc_emu_start returns, and the engine works normally afterwards.
 */
class UnicornUpcallFailureTest {
    static final long DEV = 0x0900_0000L;

    static final String PROGRAM = """
                mov x0, #1
                svc #0
                ldr x2, [x1]
                str x2, [x1, #8]
                mrs x3, tpidr_el0
                msr tpidr_el0, x3
                ic ivau, x1
                ldr w4, [x5]
                str w4, [x5]
                add x0, x0, #1
            done:
                nop
            """;

    static final class Boom extends RuntimeException {
        Boom(String what) {
            super("thrown on purpose in " + what);
        }
    }

    /** Installs one throwing callback via {@code arm}, checks start() rethrows it, then reruns cleanly. */
    void check(String what, Consumer<Unicorn> arm, Consumer<Unicorn> disarm) {
        try (Unicorn uc = Guest.open()) {
            Throwable[] thrown = {null};
            boolean[] armed = {true};
            uc.mapMmio(DEV, 0x1000, new Unicorn.MmioHandler() {
                @Override
                public long read(long offset, int size) {
                    if (armed[0] && what.equals("mmio-read")) throw (Boom) (thrown[0] = new Boom(what));
                    return 0x42;
                }

                @Override
                public void write(long offset, int size, long value) {
                    if (armed[0] && what.equals("mmio-write")) throw (Boom) (thrown[0] = new Boom(what));
                }
            });
            GuestAsm.Program p = Guest.load(uc, PROGRAM);
            // without an interrupt hook the SVC would end the run with UC_ERR_EXCEPTION
            if (!what.equals("interrupt")) uc.hookInterrupt(intno -> { });
            Hooks.thrown = thrown;
            Hooks.armed = armed;
            arm.accept(uc);
            setUp(uc);
            RuntimeException e = assertThrows(RuntimeException.class, () -> uc.start(p.base(), p.symbol("done"), 0, 0), what);
            assertSame(thrown[0], e, what + ": the same exception instance is rethrown");
            // usable afterwards: the same program runs to the end with the callback defused
            armed[0] = false;
            disarm.accept(uc);
            setUp(uc);
            Guest.runToDone(uc, p);
            assertEquals(2, uc.reg(Arm64Reg.x(0)), what + ": the whole program ran after the failure");
            assertEquals(0x42, uc.reg(Arm64Reg.x(4)), what + ": MMIO works after the failure");
        }
    }

    static void setUp(Unicorn uc) {
        uc.reg(Arm64Reg.x(0), 0);
        uc.reg(Arm64Reg.x(1), Guest.RAM + 0x8000);
        uc.reg(Arm64Reg.x(5), DEV);
    }

    /** State shared with the throwing lambdas. */
    static final class Hooks {
        static Throwable[] thrown;
        static boolean[] armed;

        static void boom(String what) {
            if (armed[0]) throw (Boom) (thrown[0] = new Boom(what));
        }
    }

    static final Consumer<Unicorn> NOTHING = uc -> { };

    @Test
    void interruptHook() {
        check("interrupt", uc -> uc.hookInterrupt(intno -> Hooks.boom("interrupt")), NOTHING);
    }

    @Test
    void blockHook() {
        check("block", uc -> uc.hookBlock((a, s) -> Hooks.boom("block")), NOTHING);
    }

    @Test
    void codeHook() {
        check("code", uc -> uc.hookCode((a, s) -> Hooks.boom("code"), 1, 0), NOTHING);
    }

    @Test
    void memoryReadHook() {
        check("mem-read", uc -> uc.hookMemory(Unicorn.HOOK_MEM_READ, (t, a, s, v) -> Hooks.boom("mem-read"), 1, 0), NOTHING);
    }

    @Test
    void memoryWriteHook() {
        check("mem-write", uc -> uc.hookMemory(Unicorn.HOOK_MEM_WRITE, (t, a, s, v) -> Hooks.boom("mem-write"), 1, 0), NOTHING);
    }

    @Test
    void mrsHook() {
        check("mrs", uc -> uc.hookSysInsn(Unicorn.INS_MRS, (r, a, b, c, d, e, v) -> {
            Hooks.boom("mrs");
            return false;
        }), NOTHING);
    }

    @Test
    void msrHook() {
        check("msr", uc -> uc.hookSysInsn(Unicorn.INS_MSR, (r, a, b, c, d, e, v) -> {
            Hooks.boom("msr");
            return false;
        }), NOTHING);
    }

    @Test
    void sysHook() {
        check("sys", uc -> uc.hookSysInsn(Unicorn.INS_SYS, (r, a, b, c, d, e, v) -> {
            Hooks.boom("sys");
            return false;
        }), NOTHING);
    }

    @Test
    void mmioRead() {
        check("mmio-read", NOTHING, NOTHING);
    }

    @Test
    void mmioWrite() {
        check("mmio-write", NOTHING, NOTHING);
    }

    /** The unmapped-event hook throws: start rethrows it (rather than only returning UC_ERR_READ_UNMAPPED). */
    @Test
    void unmappedEventHook() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, "    ldr x0, [x1]\n    add x0, x0, #1\ndone:\n    nop\n");
            Boom boom = new Boom("unmapped");
            boolean[] armed = {true};
            uc.hookMemoryEvent(Unicorn.HOOK_MEM_UNMAPPED, (t, a, s, v) -> {
                if (armed[0]) throw boom;
                uc.map(a & ~0xfffL, 0x1000, Unicorn.PROT_ALL);
                return true;
            });
            uc.reg(Arm64Reg.x(1), 0x5000_0000L);
            assertSame(boom, assertThrows(Boom.class, () -> uc.start(p.base(), p.symbol("done"), 0, 0)));
            armed[0] = false;
            Guest.runToDone(uc, p);
            assertEquals(1, uc.reg(Arm64Reg.x(0)), "the hook mapped the page and the load was retried");
        }
    }

    /** Errors (e.g. a failed JUnit assertion inside a hook) come back the same way. */
    @Test
    void errorsAreRethrownToo() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, "    svc #1\ndone:\n    nop\n");
            AssertionError err = new AssertionError("failed inside a hook");
            uc.hookInterrupt(intno -> {
                throw err;
            });
            assertSame(err, assertThrows(AssertionError.class, () -> uc.start(p.base(), p.symbol("done"), 0, 0)));
        }
    }

    /** A checked exception smuggled out of a hook is wrapped, with the original as cause. */
    @Test
    void checkedExceptionsAreWrapped() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, "    svc #1\ndone:\n    nop\n");
            Exception checked = new java.io.IOException("checked");
            uc.hookInterrupt(intno -> sneakyThrow(checked));
            UnicornException e = assertThrows(UnicornException.class, () -> uc.start(p.base(), p.symbol("done"), 0, 0));
            assertSame(checked, e.getCause());
        }
    }

    /** A failure is reported once: the next run does not rethrow it again. */
    @Test
    void failureIsNotReportedTwice() {
        try (Unicorn uc = Guest.open()) {
            GuestAsm.Program p = Guest.load(uc, "    svc #1\n    add x0, x0, #1\ndone:\n    nop\n");
            int[] n = {0};
            uc.hookInterrupt(intno -> {
                if (n[0]++ == 0) throw new Boom("first run only");
            });
            assertThrows(Boom.class, () -> uc.start(p.base(), p.symbol("done"), 0, 0));
            uc.reg(Arm64Reg.x(0), 0);
            Guest.runToDone(uc, p);
            assertEquals(1, uc.reg(Arm64Reg.x(0)));
        }
    }

    /**
     * Host-side uc_mem_read / uc_mem_write over an MMIO region call the device's callbacks (measured);
     * an exception there must reach the caller, not be swallowed (the read returned zeros) and then
     * silently dropped by the next start().
     */
    @Test
    void mmioCallbackFailureDuringHostRead() {
        try (Unicorn uc = Guest.open()) {
            Boom boom = new Boom("host read");
            int[] calls = {0};
            uc.mapMmio(DEV, 0x1000, new Unicorn.MmioHandler() {
                @Override
                public long read(long offset, int size) {
                    calls[0]++;
                    throw boom;
                }

                @Override
                public void write(long offset, int size, long value) {
                    calls[0]++;
                    throw boom;
                }
            });
            assertSame(boom, assertThrows(Boom.class, () -> uc.read(DEV, 4)), "host read");
            assertSame(boom, assertThrows(Boom.class, () -> uc.write(DEV, new byte[4])), "host write");
            assertEquals(2, calls[0], "uc_mem_read / uc_mem_write reach the device's callbacks");
            // and a later run does not see a stale failure
            GuestAsm.Program p = Guest.load(uc, "    add x0, x0, #1\ndone:\n    nop\n");
            uc.reg(Arm64Reg.x(0), 0);
            Guest.runToDone(uc, p);
            assertEquals(1, uc.reg(Arm64Reg.x(0)));
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }
}
