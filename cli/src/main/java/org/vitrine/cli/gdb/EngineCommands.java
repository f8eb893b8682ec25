package org.vitrine.cli.gdb;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.ProcessTable;

/**
 * The gdb packets the {@link DebugEngine} answers: breakpoints and watchpoints (Z0-Z4), stop
 * replies that name a watchpoint's address or the start of the replay log, and rost's processes
 * as gdb threads: the thread id is the pid plus one (thread 1 is the kernel's own context, as
 * for any guest without processes), and {@code qThreadExtraInfo} gives "pid N NAME state" for
 * {@code info threads}. The machine stays
 * all-stop with one CPU: every thread shows the CPU's registers, and selecting a thread does not
 * switch the machine to it.
 */
final class EngineCommands {
    /** The thread id of the kernel's own context (booting, idle): pid 0. */
    static final long KERNEL = 1;

    private final DebugEngine engine;
    private final Map<String, Integer> ids = new HashMap<>();
    private String lastReply = "T05thread:" + Long.toHexString(KERNEL) + ";";

    EngineCommands(DebugEngine engine) {
        this.engine = engine;
    }

    DebugEngine engine() {
        return engine;
    }

    String lastReply() {
        return lastReply;
    }

    private long currentThread() {
        return engine.currentPid() + 1;
    }

    /** The stop reply for a stop other than the machine's own end. */
    String reply(DebugEngine.Stop s) {
        String thread = "thread:" + Long.toHexString(currentThread()) + ";";
        String r = switch (s.reason()) {
            case WATCHPOINT -> {
                DebugEngine.Access a = s.access();
                String kind = switch (a.watchpoint().kind()) {
                    case WRITE -> "watch";
                    case READ -> "rwatch";
                    case ACCESS -> "awatch";
                };
                yield "T05" + kind + ":" + Long.toHexString(a.address()) + ";" + thread;
            }
            case HISTORY_START -> "T05replaylog:begin;" + thread;
            case INTERRUPTED -> "T02" + thread;
            default -> "T05" + thread;
        };
        lastReply = r;
        return r;
    }

    /** Z/z of any type: 0 and 1 breakpoints, 2 write, 3 read, 4 access watchpoints. */
    String breakpoint(boolean insert, String type, long address, long kind) {
        String key = type + "," + Long.toHexString(address) + "," + Long.toHexString(kind);
        if (!insert) {
            Integer id = ids.remove(key);
            if (id == null) return "OK";
            return (type.equals("0") || type.equals("1") ? engine.deleteBreakpoint(id) : engine.deleteWatchpoint(id)) ? "OK" : "E01";
        }
        if (ids.containsKey(key)) return "OK";
        int id = switch (type) {
            case "0", "1" -> engine.breakAt(address, java.util.OptionalLong.empty()).id();
            case "2", "3", "4" -> {
                DebugEngine.WatchKind k = type.equals("2") ? DebugEngine.WatchKind.WRITE
                        : type.equals("3") ? DebugEngine.WatchKind.READ : DebugEngine.WatchKind.ACCESS;
                try {
                    yield engine.watch(address, kind, k).id();
                } catch (IllegalArgumentException e) {
                    yield -1;   // not mapped now
                }
            }
            default -> -2;
        };
        if (id == -2) return "";
        if (id == -1) return "E01";
        ids.put(key, id);
        return "OK";
    }

    /** Thread queries; null for anything else. */
    String threadQuery(String p) {
        if (p.equals("qC")) return "QC" + Long.toHexString(currentThread());
        if (p.equals("qfThreadInfo")) {
            StringJoiner ids = new StringJoiner(",", "m", "");
            boolean current = false;
            for (ProcessTable.Process proc : engine.processes()) {
                ids.add(Long.toHexString(proc.pid() + 1));
                current |= proc.pid() + 1 == currentThread();
            }
            if (!current) ids.add(Long.toHexString(currentThread()));
            return ids.toString();
        }
        if (p.equals("qsThreadInfo")) return "l";
        if (p.startsWith("qThreadExtraInfo,")) {
            long tid = Rsp.parseHex(p.substring("qThreadExtraInfo,".length()));
            String text = tid == KERNEL ? "kernel" : "pid " + (tid - 1);
            for (ProcessTable.Process proc : engine.processes()) {
                if (proc.pid() + 1 == tid) text = "pid " + proc.pid() + " " + proc.name() + " " + proc.state() + (proc.current() ? " (current)" : "");
            }
            return Rsp.hex(text.getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** True for the thread id of the current process (or the kernel's while none is). */
    boolean isCurrent(String id) {
        try {
            return Rsp.parseHex(id.startsWith("p") ? id.substring(id.indexOf('.') + 1) : id) == currentThread();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True for a thread gdb may ask about: a process in the table or the current context. */
    boolean alive(String id) {
        try {
            long tid = Rsp.parseHex(id);
            if (tid == currentThread()) return true;
            List<ProcessTable.Process> procs = engine.processes();
            return procs.stream().anyMatch(p -> p.pid() + 1 == tid);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
