package org.vitrine.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.cli.script.ScenarioParser;

/**
 * {@code vitrine script --help} and the README list every step of the scenario language as
 * {@link ScenarioParser#HELP} writes it: picocli's own {@code ${...}} variables and line wrapping
 * must leave the grammar alone (it once printed "set NAME value (then null)").
 */
class ScriptHelpTest {
    @Test
    void helpShowsTheGrammarAsWritten() {
        String usage = Main.commandLine().getSubcommands().get("script").getUsageMessage();
        List<String> shown = usage.lines().map(String::stripTrailing).toList();
        for (String line : ScenarioParser.HELP.lines().toList()) {
            assertTrue(shown.contains(line.stripTrailing()), "a line of the grammar, whole, in the help: '" + line + "'\n" + usage);
        }
        assertTrue(usage.contains("set NAME value (then ${NAME})"), usage);
        assertFalse(usage.contains("null"), usage);
    }

    @Test
    void readmeListsEveryStep() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(readme.contains(ScenarioParser.HELP), "README.md shows vitrine script --help's list of steps as it is");
    }
}
