package org.vitrine.emulator.unicorn;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vitrine.emulator.testutil.GuestAsm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library itself: the loaded libunicorn is 2.1 or newer, every {@link Unicorn.CpuModel} opens
 * and closes, and the model really is applied (MIDR_EL1 part number, LSE atomics only on MAX).
 */
class UnicornLibraryTest {
    @Test
    void versionIsAtLeast21() {
        assertDoesNotThrow(Unicorn::ensureAvailable);
        int v = Unicorn.version();
        System.out.println("libunicorn " + Unicorn.versionString(v) + String.format(" (0x%08x) at ", v) + Unicorn.libraryPath());
        assertTrue(Integer.compareUnsigned(v, Unicorn.MIN_VERSION) >= 0, "version " + Unicorn.versionString(v));
        assertEquals(2, v >>> 24, "major version");
        assertTrue(((v >>> 16) & 0xff) >= 1, "minor version");
        assertNotNull(Unicorn.libraryPath());
    }

    @Test
    void versionStringFormatsMajorMinorPatch() {
        assertEquals("2.1.1", Unicorn.versionString(0x020101ff));
        assertEquals("2.0.1", Unicorn.versionString(0x020001ff));
        assertEquals("10.20.30", Unicorn.versionString(0x0a141e00));
    }

    @ParameterizedTest
    @EnumSource(Unicorn.CpuModel.class)
    void opensAndClosesEachModel(Unicorn.CpuModel model) {
        Unicorn uc = Unicorn.open(model);
        uc.map(Guest.RAM, 0x1000, Unicorn.PROT_ALL);
        uc.write(Guest.RAM, new byte[] {0x20, 0x00, (byte) 0x80, (byte) 0xd2}); // mov x0, #1
        uc.reg(Arm64Reg.x(0), 0);
        assertEquals(0, uc.start(Guest.RAM, Guest.RAM + 4, 0, 0));
        assertEquals(1, uc.reg(Arm64Reg.x(0)));
        uc.close();
        assertDoesNotThrow(uc::close, "a second close is harmless");
        assertFalse(uc.arena().scope().isAlive(), "closing the engine frees its arena");
    }

    /** MIDR_EL1: Arm (0x41) parts A57 0xd07, A53 0xd03, A72 0xd08; MAX is QEMU's "max" CPU (0x000f0510). */
    @ParameterizedTest
    @EnumSource(Unicorn.CpuModel.class)
    void modelIsApplied(Unicorn.CpuModel model) {
        try (Unicorn uc = Unicorn.open(model)) {
            long midr = uc.sysReg(3, 0, 0, 0, 0);
            System.out.printf("%s: MIDR_EL1 0x%x%n", model, midr);
            int part = (int) (midr >>> 4) & 0xfff;
            int implementer = (int) (midr >>> 24) & 0xff;
            switch (model) {
                case A57 -> assertEquals(0xd07, part);
                case A53 -> assertEquals(0xd03, part);
                case A72 -> assertEquals(0xd08, part);
                case MAX -> assertEquals(0x000f0510L, midr);
            }
            if (model != Unicorn.CpuModel.MAX) assertEquals(0x41, implementer, "Arm Ltd.");
        }
    }

    /** LSE atomics (ARMv8.1) exist on MAX and are undefined on Cortex-A72, as design/unicorn.md says. */
    @Test
    void lseAtomicsOnlyOnMax() {
        GuestAsm.Program p = Guest.asm("""
                .arch armv8.1-a
                    ldadd x1, x2, [x3]
                done:
                    nop
                """);
        for (Unicorn.CpuModel model : new Unicorn.CpuModel[] {Unicorn.CpuModel.A72, Unicorn.CpuModel.MAX}) {
            try (Unicorn uc = Unicorn.open(model)) {
                uc.map(Guest.RAM, Guest.RAM_SIZE, Unicorn.PROT_ALL);
                uc.write(p.base(), p.image());
                List<Integer> exceptions = new ArrayList<>();
                uc.hookInterrupt(intno -> {
                    exceptions.add(intno);
                    uc.stop();
                });
                long cell = Guest.RAM + 0x8000;
                uc.write(cell, new byte[] {5, 0, 0, 0, 0, 0, 0, 0});
                uc.reg(Arm64Reg.x(1), 3);
                uc.reg(Arm64Reg.x(3), cell);
                uc.start(p.base(), p.symbol("done"), 0, 0);
                if (model == Unicorn.CpuModel.MAX) {
                    assertEquals(List.of(), exceptions, "MAX executes LDADD");
                    assertEquals(5, uc.reg(Arm64Reg.x(2)), "old value");
                    assertEquals(8, uc.read(cell, 1)[0], "new value");
                } else {
                    assertEquals(List.of(1), exceptions, "A72: LDADD is undefined (EXCP_UDEF)");
                }
            }
        }
    }
}
