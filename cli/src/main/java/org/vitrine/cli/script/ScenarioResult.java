package org.vitrine.cli.script;

import java.util.List;

/**
 * What a played scenario gives the reports (progress, JUnit XML, result JSON): per section a
 * status, the virtual and wall time it took and, for a failure, where and why, with the console's
 * last lines and the screenshot taken at that moment.
 *
 * @param scenario  the script's name
 * @param file      the script as given on the command line
 * @param console   everything the guest wrote to the console
 */
public record ScenarioResult(String scenario, String file, List<SectionResult> sections, long virtualNanos,
                             double wallSeconds, String console, List<String> artifacts) {
    public enum Status { PASSED, FAILED, SKIPPED }

    /** A failing step: where, the step, what was expected and what was found. */
    public record Failure(String where, String step, String expected, String found, String screenshot, String consoleTail) {
        public String message() {
            return where + ": " + step + ": expected " + expected + "; found " + found;
        }
    }

    public record SectionResult(String name, Status status, Failure failure, long virtualNanos, double wallSeconds,
                                List<String> artifacts) { }

    public boolean passed() {
        return sections.stream().allMatch(s -> s.status() == Status.PASSED);
    }

    /** A scenario that never ran (its machine could not start): one failed section saying why. */
    public static ScenarioResult notRun(String scenario, String file, String why) {
        Failure f = new Failure(file, "boot", "the machine to start", why, null, "");
        return new ScenarioResult(scenario, file, List.of(new SectionResult(scenario, Status.FAILED, f, 0, 0, List.of())),
                0, 0, "", List.of());
    }
}
