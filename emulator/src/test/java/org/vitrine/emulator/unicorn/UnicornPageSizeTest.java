package org.vitrine.emulator.unicorn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Unicorn.open really sets libunicorn's AArch64 target page to {@link Unicorn#PAGE_SIZE} (its own
 * default is 1 KiB: docs/speed.md), seen through what uc_mem_map accepts (whole target pages only).
 */
class UnicornPageSizeTest {
    static final long KIB = 1024;

    @Test
    void theEnginesPageIsFourKib() {
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            assertThrows(UnicornException.class, () -> uc.map(0x1_0000 + KIB, KIB, Unicorn.PROT_ALL), "1 KiB is not a page");
            assertDoesNotThrow(() -> uc.map(0x2_0000, Unicorn.PAGE_SIZE, Unicorn.PROT_ALL));
        }
    }
}
