package org.vitrine.emulator.debug;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BiFunction;

/**
 * rost's process table, read from the kernel's memory through its symbols. The kernel keeps it in
 * {@code sched::SCHEDULER} (an {@code Option<Scheduler>} holding {@code procs: Vec<Option<Proc>>});
 * Rust lays structs out as it likes and rost ships no debug information, so the layout is
 * recognised from the data rather than assumed: the vector is the (capacity, pointer, length)
 * triple of the scheduler that points into RAM with at most {@link #MAX_PROCS} entries; the slot
 * size is the spacing of the process names (NUL-padded program names, 16 bytes); the pid and the
 * address space are the two words that agree in every live slot (rost's ASID, the top 16 bits of
 * the space's TTBR0 value, is the pid plus one). When any of this is not found the table is empty
 * and {@link #problem()} says why, rather than guessing.
 */
public final class ProcessTable {
    /** One process: its pid, name (as the kernel keeps it), TTBR0 value, and whether it is the current one. */
    public record Process(long pid, String name, long ttbr0, boolean current) { }

    private static final int MAX_PROCS = 32;
    private static final int MAX_SLOT = 1024;
    private static final int NAME = 16;

    private final BiFunction<Long, Integer, byte[]> memory;
    private final Symbols symbols;
    private String problem = "";

    ProcessTable(BiFunction<Long, Integer, byte[]> memory, Symbols symbols) {
        this.memory = memory;
        this.symbols = symbols;
    }

    /** Why the last {@link #read} found nothing ("" when it did). */
    public String problem() {
        return problem;
    }

    /** The live processes in slot order; {@code currentPid} marks the current one. */
    List<Process> read(long currentPid) {
        problem = "";
        OptionalLong at = symbols.resolve("sched::SCHEDULER");
        if (at.isEmpty()) return fail("no sched::SCHEDULER symbol in the kernel");
        byte[] sched = memory.apply(at.getAsLong(), 256);
        for (int i = 0; i + 24 <= sched.length; i += 8) {
            long cap = word(sched, i), ptr = word(sched, i + 8), len = word(sched, i + 16);
            if (len < 1 || len > MAX_PROCS || cap < len || cap > 4 * MAX_PROCS || ptr < 0x4000_0000L || (ptr & 7) != 0) continue;
            List<Process> found = slots(ptr, (int) len, currentPid);
            if (found != null) return found;
        }
        return problem.isEmpty() ? fail("the process vector was not recognised in sched::SCHEDULER") : List.of();
    }

    private List<Process> slots(long ptr, int len, long currentPid) {
        byte[] all = memory.apply(ptr, len * MAX_SLOT);
        List<Integer> names = new ArrayList<>();
        for (int i = 0; i + NAME <= all.length; i++) if (isName(all, i)) names.add(i);
        if (names.isEmpty()) return null;
        int stride = 0;
        for (int k = 1; k < names.size(); k++) stride = gcd(stride, names.get(k) - names.getFirst());
        if (stride == 0) stride = all.length / len;   // one process: any stride fits
        if (stride % 8 != 0 || stride > MAX_SLOT) return null;
        int nameOff = names.getFirst() % stride;
        for (int pidOff = 0; pidOff + 8 <= stride; pidOff += 8) {
            for (int spaceOff = 0; spaceOff + 8 <= stride; spaceOff += 8) {
                if (spaceOff == pidOff) continue;
                List<Process> out = tryLayout(all, len, stride, nameOff, pidOff, spaceOff, currentPid);
                if (out != null) return out;
            }
        }
        return fail("process slots found but no pid/address-space pair agrees in all of them");
    }

    private List<Process> tryLayout(byte[] all, int len, int stride, int nameOff, int pidOff, int spaceOff, long currentPid) {
        List<Process> out = new ArrayList<>();
        for (int s = 0; s < len; s++) {
            int base = s * stride;
            if (base + stride > all.length) return null;
            if (!isName(all, base + nameOff)) continue;   // an empty slot
            long pid = word(all, base + pidOff), space = word(all, base + spaceOff);
            if (pid < 1 || pid > 1 << 20 || (space >>> 48) != pid % 65535 + 1 || (space & 0xfff) != 0) return null;
            out.add(new Process(pid, name(all, base + nameOff), space, pid == currentPid));
        }
        return out.isEmpty() ? null : out;
    }

    private static boolean isName(byte[] b, int i) {
        if (i + NAME > b.length || b[i] < 'a' || b[i] > 'z') return false;
        boolean ended = false;
        for (int k = 0; k < NAME; k++) {
            int c = b[i + k] & 0xff;
            if (c == 0) ended = true;
            else if (ended || c < 0x20 || c > 0x7e) return false;
        }
        return ended;
    }

    private static String name(byte[] b, int i) {
        int n = 0;
        while (n < NAME && b[i + n] != 0) n++;
        return new String(b, i, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static long word(byte[] b, int i) {
        if (i + 8 > b.length) return 0;
        long v = 0;
        for (int k = 7; k >= 0; k--) v = v << 8 | (b[i + k] & 0xff);
        return v;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private List<Process> fail(String why) {
        problem = why;
        return List.of();
    }
}
