package org.vitrine.emulator.debug;

/**
 * Rust's legacy symbol mangling ({@code _ZN11rost_kernel5sched5start17h0123456789abcdefE}) turned
 * back into a path ({@code rost_kernel::sched::start}): what rustc 1.x emits by default for rost
 * and its programs. Anything else is returned unchanged.
 */
final class RustNames {
    private RustNames() { }

    static String demangle(String symbol) {
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
