package org.vitrine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The desktop behind each IOMMU with rost's domains translating: tests/scenarios/desktop-terminal.vts
 * (menu click, commands typed into the Terminal, files listed from the disk) with
 * {@code --iommu X --iommu-check}. The GPU reads the framebuffer, its commands and its virtqueue
 * through IOVAs, the input devices write their events through IOVAs, the disk lends its buffers
 * through the window: the scenario must pass with the screenshot DesktopTerminalTest expects, and
 * no guest error at all (no translation fault, no stale DMA).
 */
class IommuDesktopTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"smmuv3", "vtd", "amdvi"})
    void desktopRunsBehindTheIommu(String model) throws Exception {
        Path script = Files.copy(Guest.root().resolve("tests/scenarios/desktop-terminal.vts"), dir.resolve("s.vts"));
        CliTest.Result r = CliTest.vitrine("script", "--disk", Guest.disk(dir).toString(), "--display", "1024x768",
                "--append", "rost.desktop", "--iommu", model, "--iommu-check", "--log", "guest-errors", script.toString());
        String all = r.stdout() + r.stderr();
        assertEquals(0, r.exit(), all);
        assertTrue(all.contains("[iommu] " + model + " at 0x"), all);
        assertTrue(all.contains("[terminal] $ echo hello\n[terminal] hello\n"), all);
        assertTrue(all.contains("[terminal] TERMINAL "), "ls /BIN read the directory from the disk: " + all);
        assertFalse(all.contains("[guest-error]"), all);
        DesktopTerminalTest.assertTerminalShot(ImageIO.read(dir.resolve("desktop-terminal.png").toFile()));
    }
}
