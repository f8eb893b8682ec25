package org.vitrine.cli.debugview;

import java.util.Locale;
import java.util.Set;

/**
 * What a line typed in the debugger view's command bar does to the machine, by its first word (the
 * language is {@code vitrine debug --batch}'s): whether it runs the machine (the view shows it
 * running and its stop afterwards), and whether only forward (Pause may cut it; a rewind or a
 * "who wrote" replay runs to its end, without the wall clock's pacing). Pure.
 */
final class CommandLine {
    private static final Set<String> FORWARD = Set.of("continue", "c", "step", "stepi", "si", "next", "nexti", "ni", "finish",
            "until", "advance");
    private static final Set<String> REPLAYS = Set.of("reverse-step", "reverse-stepi", "rsi", "reverse-continue", "rc", "who-wrote");

    /** The help line the empty command bar shows. */
    static final String HINT = "break SYM|ADDR [if pid N] \u00b7 watch ADDR LEN [r|w|rw] \u00b7 catch syscall N|exception EC|switch \u00b7 "
            + "who-wrote ADDR LEN \u00b7 sched PID \u00b7 delete N";

    private CommandLine() { }

    static boolean resumes(String line) {
        String w = first(line);
        return FORWARD.contains(w) || REPLAYS.contains(w);
    }

    static boolean forward(String line) {
        return FORWARD.contains(first(line));
    }

    /** A plain {@code continue}: the view's own, which also honours {@code sched}. */
    static boolean isContinue(String line) {
        return line.strip().equals("continue") || line.strip().equals("c");
    }

    private static String first(String line) {
        String s = line.strip();
        int sp = s.indexOf(' ');
        return (sp < 0 ? s : s.substring(0, sp)).toLowerCase(Locale.ROOT);
    }
}
