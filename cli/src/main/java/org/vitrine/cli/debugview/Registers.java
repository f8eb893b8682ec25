package org.vitrine.cli.debugview;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The registers the view shows, by name in display order (x0..x30, sp, pc, cpsr (PSTATE in SPSR
 * layout, gdb's name), then the EL1 system registers, as {@code DebugEngine.registers} names them),
 * as read at one stop; what changed since the previous stop; and how PSTATE,
 * the TTBRs and the other packed registers read to a person. Pure: the controller fills it from
 * the CPU, the panel only reads it.
 */
public record Registers(Map<String, Long> values) {
    /** The system registers after the general ones, in display order. */
    public static final List<String> SYSTEM = List.of("sp_el0", "sp_el1", "elr_el1", "spsr_el1", "esr_el1", "far_el1",
            "vbar_el1", "ttbr0_el1", "ttbr1_el1", "sctlr_el1", "tcr_el1");

    /** The registers the view can set (the engine's {@code writeRegister}). */
    public static boolean editable(String name) {
        return name.equals("sp") || name.equals("pc") || name.equals("cpsr") || name.matches("x([0-9]|[12][0-9]|30)");
    }

    public Registers {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The register called {@code name}; throws for one not captured. */
    public long get(String name) {
        Long v = values.get(name);
        if (v == null) throw new IllegalArgumentException("no register " + name);
        return v;
    }

    /** The names whose values differ from {@code before} (none when there is no before: nothing to compare). */
    public Set<String> changedSince(Registers before) {
        if (before == null) return Set.of();
        Set<String> out = new TreeSet<>();
        for (var e : values.entrySet()) {
            if (!e.getValue().equals(before.values.get(e.getKey()))) out.add(e.getKey());
        }
        return out;
    }

    /** General-purpose register names x0..x30 then sp and pc. */
    public static List<String> general() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i <= 30; i++) names.add("x" + i);
        names.add("sp");
        names.add("pc");
        return names;
    }

    /**
     * PSTATE (in SPSR layout) as a person reads it: exception level and stack select
     * ({@code EL1h}: SP_EL1, {@code EL1t}: SP_EL0), the flags in upper case when set, the masked
     * interrupts ({@code DAIF} letters, {@code -} for unmasked), e.g. {@code "EL1h  nZCv  D-IF"}.
     */
    public static String describePstate(long spsr) {
        int el = (int) (spsr >>> 2) & 3;
        boolean spx = (spsr & 1) != 0;
        String mode = el == 0 ? "EL0t" : "EL" + el + (spx ? "h" : "t");
        StringBuilder flags = new StringBuilder();
        String nzcv = "nzcv";
        for (int i = 0; i < 4; i++) {
            char c = nzcv.charAt(i);
            flags.append((spsr >>> (31 - i) & 1) != 0 ? Character.toUpperCase(c) : c);
        }
        StringBuilder daif = new StringBuilder();
        String letters = "DAIF";
        for (int i = 0; i < 4; i++) daif.append((spsr >>> (9 - i) & 1) != 0 ? letters.charAt(i) : '-');
        return mode + "  " + flags + "  " + daif;
    }

    /** A name for an ESR's exception class (bits 31:26), e.g. {@code "SVC64"} for 0x15. */
    public static String exceptionClass(int ec) {
        return switch (ec) {
            case 0x00 -> "unknown";
            case 0x01 -> "WFx";
            case 0x07 -> "FP/SIMD";
            case 0x0e -> "illegal state";
            case 0x15 -> "SVC64";
            case 0x18 -> "MSR/MRS";
            case 0x20 -> "iabt lower";
            case 0x21 -> "iabt same";
            case 0x22 -> "PC align";
            case 0x24 -> "dabt lower";
            case 0x25 -> "dabt same";
            case 0x26 -> "SP align";
            case 0x2f -> "SError";
            case 0x3c -> "BRK";
            default -> "other";
        };
    }

    /** SCTLR_EL1's main enables: MMU (M), alignment check (A), data (C) and instruction (I) caches. */
    public static String describeSctlr(long sctlr) {
        return ((sctlr & 1) != 0 ? "M" : "m") + ((sctlr & 2) != 0 ? "A" : "a") + ((sctlr & 4) != 0 ? "C" : "c")
                + ((sctlr & (1 << 12)) != 0 ? "I" : "i");
    }

    /** TCR_EL1's region sizes: {@code "T0SZ 16 T1SZ 16"}. */
    public static String describeTcr(long tcr) {
        return "T0SZ " + (tcr & 0x3f) + " T1SZ " + (tcr >>> 16 & 0x3f);
    }
}
