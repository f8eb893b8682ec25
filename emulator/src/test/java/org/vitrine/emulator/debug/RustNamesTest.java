package org.vitrine.emulator.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Rust's legacy mangling as rustc emits it for rost (symbols copied from kernel.elf and hello), and v0 crate items. */
class RustNamesTest {
    @Test
    void demanglesPathsAndDropsTheHashAndLlvmSuffixes() {
        assertEquals("rost_kernel::sched::start", RustNames.demangle("_ZN11rost_kernel5sched5start17hc6e57809d4130545E"));
        assertEquals("hello::COUNTER", RustNames.demangle("_ZN5hello7COUNTER17hcfd3d8a7ecd0be83E.0"));
        assertEquals("rost_kernel::ipc::<impl rost_kernel::sched::Scheduler>::recv",
                RustNames.demangle("_ZN11rost_kernel3ipc47_$LT$impl$u20$rost_kernel..sched..Scheduler$GT$4recv17h42d57dc6f83bbee0E"));
    }

    @Test
    void v0CrateItemsReadAsPaths() {
        assertEquals("__rustc::__rust_alloc", RustNames.demangle("_RNvCsfgHYwM92fyn_7___rustc12___rust_alloc"));
        assertEquals("__rustc::rust_begin_unwind", RustNames.demangle("_RNvCsfgHYwM92fyn_7___rustc17rust_begin_unwind"));
        for (String s : new String[] {"_RNvCs_no", "_RNvCsx_3foo", "_RINvCs0_3foo3barE", "_RNvCs0_3foo3barX"}) assertEquals(s, RustNames.demangle(s));
    }

    @Test
    void leavesOtherNamesAlone() {
        assertEquals("kmain", RustNames.demangle("kmain"));
        assertEquals("_ZN3foo", RustNames.demangle("_ZN3foo"));
        assertEquals("_ZN99fooE", RustNames.demangle("_ZN99fooE"), "a length past the end");
    }

    @Test
    void matchesWholePathSegmentsOnly() {
        assertTrue(RustNames.matches("rost_kernel::sched::start", "sched::start"));
        assertTrue(RustNames.matches("rost_kernel::sched::start", "rost_kernel::sched::start"));
        assertFalse(RustNames.matches("rost_kernel::sched::restart", "start"));
    }
}
