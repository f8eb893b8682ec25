package org.vitrine.cli.debugview;

import java.util.ArrayList;
import java.util.List;

/**
 * Rust symbol names as a person reads them in the disassembly: the legacy mangling
 * ({@code _ZN11rost_kernel5sched9Scheduler5spawn17h0123456789abcdefE} becomes
 * {@code rost_kernel::sched::Scheduler::spawn}) and the simplest v0 form, a crate-level item
 * ({@code _RNvCsfgHYwM92fyn_7___rustc12___rust_alloc} becomes {@code __rustc::__rust_alloc}).
 * Anything else (C and assembly names, v0 forms with generics) is returned as it is. Pure.
 */
public final class SymbolNames {
    private static final String[][] ESCAPES = {{"$LT$", "<"}, {"$GT$", ">"}, {"$u20$", " "}, {"$C$", ","}, {"$RF$", "&"},
            {"$BP$", "*"}, {"$LP$", "("}, {"$RP$", ")"}, {"$u5b$", "["}, {"$u5d$", "]"}, {"$u7b$", "{"}, {"$u7d$", "}"},
            {"$u27$", "'"}, {"$u7e$", "~"}, {"$SP$", "@"}, {"..", "::"}};

    private SymbolNames() { }

    public static String demangle(String name) {
        if (name.startsWith("_ZN") && name.endsWith("E")) {
            List<String> parts = idents(name, 3, name.length() - 1, false);
            if (parts == null || parts.isEmpty()) return name;
            String last = parts.getLast();
            if (last.length() == 17 && last.charAt(0) == 'h' && last.substring(1).chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                parts.removeLast();   // the hash that makes the name unique
            }
            List<String> readable = new ArrayList<>();
            for (String p : parts) readable.add(unescape(p.startsWith("_$") ? p.substring(1) : p));
            return String.join("::", readable);
        }
        if (name.startsWith("_RNvC")) {
            int i = 5;
            if (i < name.length() && name.charAt(i) == 's') {   // the crate's disambiguator: s<base62>_
                int end = name.indexOf('_', i);
                if (end < 0) return name;
                i = end + 1;
            }
            List<String> parts = idents(name, i, name.length(), true);
            return parts == null || parts.isEmpty() ? name : String.join("::", parts);
        }
        return name;
    }

    /**
     * The {@code <length><identifier>} sequence in [from, to), or null when it is not one. In v0,
     * a '_' after the length separates it from an identifier that starts with a digit or '_'.
     */
    private static List<String> idents(String s, int from, int to, boolean v0) {
        List<String> out = new ArrayList<>();
        int i = from;
        while (i < to) {
            int start = i;
            while (i < to && Character.isDigit(s.charAt(i))) i++;
            if (i == start || i - start > 4) return null;
            int len = Integer.parseInt(s, start, i, 10);
            if (v0 && i < to && s.charAt(i) == '_') i++;
            if (len == 0 || i + len > to) return null;
            out.add(s.substring(i, i + len));
            i += len;
        }
        return out;
    }

    private static String unescape(String p) {
        for (String[] e : ESCAPES) p = p.replace(e[0], e[1]);
        return p;
    }
}
