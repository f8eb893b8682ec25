package org.vitrine.cli.debugview;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SymbolNamesTest {
    @Test
    void legacyRustNamesLoseTheirHashAndReadAsPaths() {
        assertEquals("rost_kernel::sched::Scheduler::spawn", SymbolNames.demangle("_ZN11rost_kernel5sched9Scheduler5spawn17hede9620b6f300d04E"));
        assertEquals("<alloc::vec::Vec<T> as alloc::vec::spec_from_iter_nested::SpecFromIterNested<T,I>>::from_iter",
                SymbolNames.demangle("_ZN111_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$alloc..vec..spec_from_iter_nested..SpecFromIterNested$LT$T$C$I$GT$$GT$9from_iter17h91bdbf743bb8f920E"));
    }

    @Test
    void v0CrateItemsReadAsPaths() {
        assertEquals("__rustc::__rust_alloc", SymbolNames.demangle("_RNvCsfgHYwM92fyn_7___rustc12___rust_alloc"));
        assertEquals("__rustc::rust_begin_unwind", SymbolNames.demangle("_RNvCsfgHYwM92fyn_7___rustc17rust_begin_unwind"));
    }

    @Test
    void otherNamesAndBrokenManglingStayAsTheyAre() {
        for (String s : new String[] {"kmain", "idle_loop", "__kernel_start", "_ZN3fooE5", "_ZN99shortE", "_ZNE", "_RNvCs_no", "_RINvCs0_3foo3barE"}) {
            assertEquals(s, SymbolNames.demangle(s));
        }
    }
}
