package org.vitrine.emulator.unicorn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The measurement knob -Dvitrine.unicorn.pageSize (docs/speed.md): it really sets libunicorn's
 * AArch64 target page, seen through what uc_mem_map accepts (whole target pages only).
 */
class UnicornPageSizeTest {
    static final long KIB = 1024;

    @Test
    void theDefaultPageIsOneKibAndTheKnobMakesItFour() {
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            assertDoesNotThrow(() -> uc.map(0x1_0000 + KIB, KIB, Unicorn.PROT_ALL), "1 KiB pages by default");
        }
        System.setProperty("vitrine.unicorn.pageSize", "4096");
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            assertThrows(UnicornException.class, () -> uc.map(0x1_0000 + KIB, KIB, Unicorn.PROT_ALL), "1 KiB is no longer a page");
            assertDoesNotThrow(() -> uc.map(0x2_0000, 4 * KIB, Unicorn.PROT_ALL));
        } finally {
            System.clearProperty("vitrine.unicorn.pageSize");
        }
    }
}
