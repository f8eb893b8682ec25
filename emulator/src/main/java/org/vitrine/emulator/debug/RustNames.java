package org.vitrine.emulator.debug;

/**
 * Rust's legacy symbol mangling ({@code _ZN11rost_kernel5sched5start17h0123456789abcdefE}) turned
 * back into a path ({@code rost_kernel::sched::start}): what rustc 1.x emits by default for rost
 * and its programs; and the v0 form rustc gives its own crate-level items
 * ({@code _RNvCsfgHYwM92fyn_7___rustc12___rust_alloc}: {@code __rustc::__rust_alloc}). Anything
 * else (other v0 forms, C and assembly names) is returned unchanged.
 */
final class RustNames {
    private RustNames() { }

    static String demangle(String symbol) {
        if (symbol.startsWith("_RNvC")) return v0CrateItem(symbol);
        int dot = symbol.indexOf('.');   // LLVM's suffixes (.0, .llvm.123) after the closing E
        if (dot > 0 && symbol.startsWith("_ZN") && symbol.charAt(dot - 1) == 'E') symbol = symbol.substring(0, dot);
        if (!symbol.startsWith("_ZN") || !symbol.endsWith("E")) return symbol;
        StringBuilder out = new StringBuilder();
        int i = 3, end = symbol.length() - 1;
        while (i < end) {
            int digits = i;
            while (digits < end && Character.isDigit(symbol.charAt(digits))) digits++;
            if (digits == i) return symbol;
            int len = Integer.parseInt(symbol, i, digits, 10);
            if (digits + len > end) return symbol;
            String part = symbol.substring(digits, digits + len);
            i = digits + len;
            if (i == end && part.matches("h[0-9a-f]{16}")) break;   // the hash
            if (!out.isEmpty()) out.append("::");
            out.append(unescape(part));
        }
        return out.toString();
    }

    /** {@code _RNvC} [{@code s<base62>_}] {@code <crate> <item>}, each {@code <len>[_]<ident>}; else unchanged. */
    private static String v0CrateItem(String symbol) {
        int i = 5;
        if (i < symbol.length() && symbol.charAt(i) == 's') {   // the crate's disambiguator
            i = symbol.indexOf('_', i) + 1;
            if (i == 0) return symbol;
        }
        StringBuilder out = new StringBuilder();
        for (int n = 0; n < 2; n++) {
            int digits = i;
            while (digits < symbol.length() && Character.isDigit(symbol.charAt(digits))) digits++;
            if (digits == i || digits - i > 4) return symbol;
            int len = Integer.parseInt(symbol, i, digits, 10);
            if (digits < symbol.length() && symbol.charAt(digits) == '_') digits++;   // separates an identifier starting with a digit or _
            if (len == 0 || digits + len > symbol.length()) return symbol;
            if (n > 0) out.append("::");
            out.append(symbol, digits, digits + len);
            i = digits + len;
        }
        return i == symbol.length() ? out.toString() : symbol;
    }

    private static String unescape(String part) {
        if (part.startsWith("_$")) part = part.substring(1);
        return part.replace("$LT$", "<").replace("$GT$", ">").replace("$u20$", " ").replace("$RF$", "&")
                .replace("$BP$", "*").replace("$C$", ",").replace("$u7b$", "{").replace("$u7d$", "}")
                .replace("$u27$", "'").replace("$SP$", "@").replace("..", "::");
    }

    /** True when {@code path} (demangled) is {@code name} or ends with {@code ::name}. */
    static boolean matches(String path, String name) {
        return path.equals(name) || path.endsWith("::" + name);
    }
}
