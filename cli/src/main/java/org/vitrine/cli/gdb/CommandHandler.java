package org.vitrine.cli.gdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.debug.StopEvent;

/**
 * Answers gdb's packets with the {@link Debugger}: registers, memory, breakpoints, execution and
 * the queries gdb makes on connecting. Runs on the emulation thread. A malformed packet gets
 * {@code E01}, an unknown one the empty reply (which tells gdb "not supported").
 */
final class CommandHandler {
    private static final String ERROR = "E01";
    /** Bad address: gdb shows "Cannot access memory at address ...". */
    private static final String MEMORY_ERROR = "E14";
    /** Largest memory read answered in one reply (two hex digits per byte, within PacketSize). */
    private static final int MAX_READ = (PacketReader.MAX_PACKET - 16) / 2;

    private final Debugger debugger;
    private final GdbStub stub;
    private StopEvent lastStop;
    /** With an engine: watchpoints, reverse execution and rost's processes as threads ({@link EngineCommands}). */
    private final EngineCommands engine;

    CommandHandler(Debugger debugger, DebugEngine engine, GdbStub stub) {
        this.debugger = debugger;
        this.stub = stub;
        this.engine = engine == null ? null : new EngineCommands(engine);
    }

    /** Handles one packet and replies; returns an outcome when the session is over, else null. */
    GdbStub.Outcome handle(PacketReader.Packet packet) {
        String p = packet.text();
        try {
            if (p.isEmpty()) {
                stub.reply("");
                return null;
            }
            return switch (p.charAt(0)) {
                case 'b' -> reverse(p);
                case 'c', 'C' -> resume(false, p);
                case 's', 'S' -> resume(true, p);
                case 'v' -> vPacket(p);
                case 'k' -> new GdbStub.Outcome(GdbStub.End.KILLED, null);
                case 'D' -> {
                    stub.reply("OK");
                    yield new GdbStub.Outcome(GdbStub.End.DETACHED, null);
                }
                case 'X' -> {
                    stub.reply(writeBinary(packet.payload()));
                    yield null;
                }
                default -> {
                    String answer = answer(p);
                    if (answer != null) stub.reply(answer);   // null: answered already
                    yield null;
                }
            };
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            stub.reply(ERROR);
            return null;
        }
    }

    /** Packets that do not run the machine. */
    private String answer(String p) {
        return switch (p.charAt(0)) {
            case '?' -> engine != null ? engine.lastReply() : lastStop == null ? "T05thread:1;" : GdbStub.stopReply(lastStop);
            case 'g' -> readRegisters();
            case 'G' -> writeRegisters(p.substring(1));
            case 'p' -> readRegister((int) Rsp.parseHex(p.substring(1)));
            case 'P' -> writeRegister(p.substring(1));
            case 'm' -> readMemory(p.substring(1));
            case 'M' -> writeMemory(p.substring(1));
            case 'Z', 'z' -> breakpoint(p.charAt(0) == 'Z', p.substring(1));
            case 'H' -> "OK";
            case 'T' -> isOurThread(p.substring(1)) || engine != null && engine.alive(p.substring(1)) ? "OK" : ERROR;
            case 'q' -> query(p);
            case 'Q' -> {
                if (!p.equals("QStartNoAckMode")) yield "";
                stub.reply("OK");        // this reply is still acknowledged; nothing after it is
                stub.stopAcknowledging();
                yield null;
            }
            default -> "";
        };
    }

    private String query(String p) {
        if (p.startsWith("qSupported")) return "PacketSize=" + Integer.toHexString(PacketReader.MAX_PACKET)
                + ";qXfer:features:read+;QStartNoAckMode+" + (engine != null ? ";ReverseStep+;ReverseContinue+" : "");
        if (engine != null) {
            String answer = engine.threadQuery(p);
            if (answer != null) return answer;
        }
        if (p.startsWith("qXfer:features:read:")) return features(p.substring("qXfer:features:read:".length()));
        return switch (p) {
            case "qAttached" -> "1";               // gdb detaches (the machine runs on) when it quits
            case "qC" -> "QC1";
            case "qfThreadInfo" -> "m1";
            case "qsThreadInfo" -> "l";
            case "qSymbol::" -> "OK";
            default -> "";
        };
    }

    /** {@code target.xml:offset,length}: a window of the target description. */
    private static String features(String args) {
        int colon = args.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("no annex");
        if (!args.substring(0, colon).equals("target.xml")) return "E00";
        String[] ol = args.substring(colon + 1).split(",");
        if (ol.length != 2) throw new IllegalArgumentException("offset,length");
        byte[] xml = TargetDescription.XML.getBytes(StandardCharsets.UTF_8);
        long offset = Rsp.parseHex(ol[0]), length = Rsp.parseHex(ol[1]);
        if (offset >= xml.length) return "l";
        int end = (int) Math.min(xml.length, offset + Math.min(length, MAX_READ));
        byte[] part = Arrays.copyOfRange(xml, (int) offset, end);
        return (end < xml.length ? "m" : "l") + new String(Rsp.escape(part), StandardCharsets.ISO_8859_1);
    }

    private boolean isOurThread(String id) {
        return id.equals("1") || id.equals("-1") || id.equals("0") || id.equals("p1.1") || engine != null && engine.isCurrent(id);
    }

    /** {@code bs} / {@code bc}: one instruction back, or back to the previous breakpoint or watchpoint hit. */
    private GdbStub.Outcome reverse(String p) {
        if (engine == null || !p.equals("bs") && !p.equals("bc")) {
            stub.reply("");
            return null;
        }
        stub.reply(engine.reply(p.equals("bs") ? engine.engine().reverseStep(1) : engine.engine().reverseCont()));
        return null;
    }

    // ---- execution -----------------------------------------------------------------------------

    /** c/C/s/S with an optional address (and a signal for C/S, which the machine has no use for). */
    private GdbStub.Outcome resume(boolean step, String p) {
        String arg = p.substring(1);
        if (p.charAt(0) == 'C' || p.charAt(0) == 'S') {
            int semi = arg.indexOf(';');
            Rsp.parseHex(semi < 0 ? arg : arg.substring(0, semi));
            arg = semi < 0 ? "" : arg.substring(semi + 1);
        }
        if (!arg.isEmpty()) debugger.pc(Rsp.parseHex(arg));
        return run(step);
    }

    private GdbStub.Outcome vPacket(String p) {
        if (p.equals("vCont?")) {
            stub.reply("vCont;c;C;s;S");
            return null;
        }
        if (p.startsWith("vCont;")) {
            for (String action : p.substring(6).split(";")) {
                int colon = action.indexOf(':');
                String what = colon < 0 ? action : action.substring(0, colon);
                if (colon >= 0 && !isOurThread(action.substring(colon + 1))) continue;
                if (what.isEmpty()) throw new IllegalArgumentException("empty vCont action");
                switch (what.charAt(0)) {
                    case 'c', 'C' -> { return run(false); }
                    case 's', 'S' -> { return run(true); }
                    case 't' -> {                  // all-stop: the machine is halted already
                        stub.reply("OK");
                        return null;
                    }
                    default -> throw new IllegalArgumentException("vCont action " + what);
                }
            }
            throw new IllegalArgumentException("no vCont action for thread 1");
        }
        if (p.startsWith("vKill")) {
            stub.reply("OK");
            return new GdbStub.Outcome(GdbStub.End.KILLED, null);
        }
        stub.reply("");   // vMustReplyEmpty and everything else unsupported
        return null;
    }

    private GdbStub.Outcome run(boolean step) {
        if (engine != null) {
            DebugEngine.Stop s = step ? engine.engine().step(1) : engine.engine().cont();
            if (s.reason() != DebugEngine.Reason.EXITED) {
                stub.reply(engine.reply(s));
                return null;
            }
            return exited(new StopEvent(StopEvent.Reason.EXITED, s.pc(), s.exit()));
        }
        StopEvent e = step ? debugger.step() : debugger.cont();
        lastStop = e;
        if (e.exit() != null && (e.reason() == StopEvent.Reason.EXITED)) return exited(e);
        stub.reply(GdbStub.stopReply(e));
        return null;
    }

    /** The machine stopped by itself: a stuck one stays inspectable, anything else ends the session. */
    private GdbStub.Outcome exited(StopEvent e) {
        lastStop = e;
        switch (e.exit().kind()) {
            case HANG, ABORT_LOOP, EMULATION_ERROR -> {
                // the machine is stuck where it is, worth inspecting: say why, report a signal
                stub.reply("O" + Rsp.hex(("vitrine: " + e.exit().message() + "\n").getBytes(StandardCharsets.UTF_8)));
                stub.reply(GdbStub.stopReply(e));
                return null;
            }
            default -> {
                stub.reply(GdbStub.stopReply(e));
                return new GdbStub.Outcome(GdbStub.End.EXITED, e.exit());
            }
        }
    }

    // ---- breakpoints -----------------------------------------------------------------------------

    /**
     * {@code type,addr,kind}: software (0) and hardware (1) breakpoints are the same hook here;
     * watchpoints (2 write, 3 read, 4 access) need the engine.
     */
    private String breakpoint(boolean insert, String args) {
        String[] f = args.split(",");
        if (f.length < 3) throw new IllegalArgumentException("type,addr,kind");
        if (engine != null) return engine.breakpoint(insert, f[0], Rsp.parseHex(f[1]), Rsp.parseHex(f[2].split(";")[0]));
        if (!f[0].equals("0") && !f[0].equals("1")) return "";   // watchpoints: only with the engine
        long addr = Rsp.parseHex(f[1]);
        Rsp.parseHex(f[2].split(";")[0]);
        if (insert) debugger.addBreakpoint(addr);
        else debugger.removeBreakpoint(addr);
        return "OK";
    }

    // ---- registers --------------------------------------------------------------------------------

    private String readRegisters() {
        StringBuilder sb = new StringBuilder(TargetDescription.COUNT * 24);
        for (int n = 0; n < TargetDescription.COUNT; n++) sb.append(readRegister(n));
        return sb.toString();
    }

    private String writeRegisters(String hex) {
        int at = 0;
        for (int n = 0; n < TargetDescription.COUNT; n++) {
            int chars = 2 * TargetDescription.size(n);
            if (at + chars > hex.length()) throw new IllegalArgumentException("G packet too short");
            setRegister(n, hex.substring(at, at + chars));
            at += chars;
        }
        return "OK";
    }

    private String readRegister(int n) {
        if (n < 0 || n >= TargetDescription.COUNT) return ERROR;
        if (n <= 30) return Rsp.hexLe(debugger.x(n), 8);
        if (n >= TargetDescription.V0 && n < TargetDescription.V0 + 32) {
            long[] v = debugger.v(n - TargetDescription.V0);
            return Rsp.hexLe(v[0], 8) + Rsp.hexLe(v[1], 8);
        }
        return switch (n) {
            case TargetDescription.SP -> Rsp.hexLe(debugger.sp(), 8);
            case TargetDescription.PC -> Rsp.hexLe(debugger.pc(), 8);
            case TargetDescription.CPSR -> Rsp.hexLe(debugger.cpsr(), 4);
            case TargetDescription.FPSR -> Rsp.hexLe(debugger.fpsr(), 4);
            default -> Rsp.hexLe(debugger.fpcr(), 4);
        };
    }

    private String writeRegister(String args) {
        int eq = args.indexOf('=');
        if (eq < 0) throw new IllegalArgumentException("P n=value");
        int n = (int) Rsp.parseHex(args.substring(0, eq));
        if (n < 0 || n >= TargetDescription.COUNT) return ERROR;
        String value = args.substring(eq + 1);
        if (value.length() != 2 * TargetDescription.size(n)) throw new IllegalArgumentException("register size");
        setRegister(n, value);
        return "OK";
    }

    private void setRegister(int n, String hex) {
        if (hex.chars().allMatch(c -> c == 'x')) return;   // "unavailable" placeholder: leave as is
        if (n <= 30) {
            debugger.x(n, Rsp.parseLe(hex, 0, 8));
        } else if (n >= TargetDescription.V0 && n < TargetDescription.V0 + 32) {
            debugger.v(n - TargetDescription.V0, Rsp.parseLe(hex, 0, 8), Rsp.parseLe(hex, 16, 8));
        } else {
            long v = Rsp.parseLe(hex, 0, TargetDescription.size(n));
            switch (n) {
                case TargetDescription.SP -> debugger.sp(v);
                case TargetDescription.PC -> debugger.pc(v);
                case TargetDescription.CPSR -> { if (v != debugger.cpsr()) debugger.cpsr(v); }
                case TargetDescription.FPSR -> debugger.fpsr(v);
                default -> debugger.fpcr(v);
            }
        }
    }

    // ---- memory -----------------------------------------------------------------------------------

    /** {@code addr,length}. */
    private String readMemory(String args) {
        long[] al = addressLength(args);
        byte[] data = debugger.readMemory(al[0], (int) Math.min(al[1], MAX_READ));
        if (data.length == 0 && al[1] > 0) return MEMORY_ERROR;
        return Rsp.hex(data);
    }

    /** {@code addr,length:hex}. */
    private String writeMemory(String args) {
        int colon = args.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("M addr,length:data");
        long[] al = addressLength(args.substring(0, colon));
        byte[] data = Rsp.unhex(args.substring(colon + 1));
        if (data.length != al[1]) throw new IllegalArgumentException("length does not match the data");
        return debugger.writeMemory(al[0], data) == data.length ? "OK" : MEMORY_ERROR;
    }

    /** {@code Xaddr,length:binary}; the data is escaped binary, so it is taken from the raw bytes. */
    private String writeBinary(byte[] payload) {
        int colon = -1;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) throw new IllegalArgumentException("X addr,length:data");
        long[] al = addressLength(new String(payload, 1, colon - 1, StandardCharsets.ISO_8859_1));
        byte[] data = Rsp.unescape(payload, colon + 1, payload.length);
        if (data.length != al[1]) throw new IllegalArgumentException("length does not match the data");
        if (data.length == 0) return "OK";   // gdb's probe for X support
        return debugger.writeMemory(al[0], data) == data.length ? "OK" : MEMORY_ERROR;
    }

    private static long[] addressLength(String s) {
        int comma = s.indexOf(',');
        if (comma < 0) throw new IllegalArgumentException("addr,length");
        long length = Rsp.parseHex(s.substring(comma + 1));
        if (length < 0 || length > PacketReader.MAX_PACKET) throw new IllegalArgumentException("length");
        return new long[] {Rsp.parseHex(s.substring(0, comma)), length};
    }
}
