package org.vitrine.tests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.vitrine.devices.board.VirtBoard;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.HostInput.Target;
import org.vitrine.emulator.display.HostInput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boot screen, now a user program (guest-apps/screen) that maps the framebuffer and gets the
 * input as messages from the kernel: it paints the test pattern, a typed key changes only its
 * text cell, a tablet move only the pointer's rectangles, and the kernel logs every event.
 */
class RostBootScreenTest {
    @Test
    void screenProgramDrawsAndFollowsForwardedInput() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VirtBoard.Options o = VirtBoard.Options.defaults().withDesktop(new VirtBoard.Options.Display(1280, 800));
        try (VirtBoard board = new VirtBoard(o, out::write)) {
            board.loadKernel(Guest.kernel());
            board.run(400_000_000L);
            Frame painted = board.currentFrame();
            String log = out.toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("[rost] boot screen up, waiting for input"), log);
            assertNotNull(painted, "the screen program flushed a frame:\n" + log);
            assertEquals(1280, painted.width());
            int[] first = painted.rgba().clone();
            long distinct = Arrays.stream(first).distinct().count();
            assertTrue(distinct > 8, "a test pattern, not a blank screen: " + distinct + " colours");

            HostInput in = board.input();
            in.post(new HostInput.Event(Target.KEYBOARD, HostInput.EV_KEY, 35, 1)); // h
            in.post(HostInput.sync(Target.KEYBOARD));
            in.post(new HostInput.Event(Target.KEYBOARD, HostInput.EV_KEY, 35, 0));
            in.post(HostInput.sync(Target.KEYBOARD));
            board.run(600_000_000L);
            int[] typed = board.currentFrame().rgba().clone();
            log = out.toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("[input] key 35 down\n[input] key 35 up\n"), log);
            int changed = differing(first, typed);
            assertTrue(changed > 0 && changed <= 16 * 16, "only the typed cell changed: " + changed + " pixels");

            in.post(new HostInput.Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_X, 8192));
            in.post(new HostInput.Event(Target.TABLET, HostInput.EV_ABS, HostInput.ABS_Y, 8192));
            in.post(HostInput.sync(Target.TABLET));
            board.run(800_000_000L);
            int[] moved = board.currentFrame().rgba();
            log = out.toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("[input] tablet x=8192 y=8192"), log);
            int pointer = differing(typed, moved);
            assertTrue(pointer > 0 && pointer <= 2 * 11 * 17, "only the pointer moved: " + pointer + " pixels");
            assertFalse(log.contains("killed"), log);
        }
    }

    /**
     * guest-apps/wmtest from the disk on a machine with a GPU: fb_info, fb_map, a flushed red
     * rectangle, another process refused the framebuffer, then the first key event, taken with
     * poll_event and routed to an application through the kernel (RouteInput: the application
     * gets it from sender 0), which prints it and is refused routing input itself.
     */
    @Test
    void windowManagerPollsInputAndRoutesItToAnApplication(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VirtBoard.Options o = VirtBoard.Options.defaults().withDesktop(new VirtBoard.Options.Display(640, 480))
                .withDisk(Guest.disk(dir), false).withBootArgs("rost.init=/BIN/WMTEST");
        try (VirtBoard board = new VirtBoard(o, out::write)) {
            board.loadKernel(Guest.kernel());
            long cycle = 0;
            while (!out.toString(StandardCharsets.UTF_8).contains("task 2: ready for input") && cycle < 5_000_000_000L) {
                cycle += 50_000_000L;
                board.run(cycle);
            }
            int red = board.currentFrame().rgba()[20 * 640 + 20];
            assertEquals(0xff0000ff, red, "the red rectangle was flushed (RGBA in memory order R, G, B, A)");
            board.input().post(new HostInput.Event(Target.KEYBOARD, HostInput.EV_KEY, 30, 1));
            board.input().post(HostInput.sync(Target.KEYBOARD));
            var exit = board.run(cycle + 5_000_000_000L);
            String log = out.toString(StandardCharsets.UTF_8);
            assertEquals(org.vitrine.emulator.cpu.Cpu.ExitKind.POWER_OFF, exit.kind(), log);
            assertEquals(0, exit.status(), log);
            assertTrue(log.contains("task 2: display 640x480\ntask 2: fb_map at 0x2000000000\ntask 2: red rectangle flushed: yes\n"), log);
            assertTrue(log.contains("task 2: another process refused the framebuffer: yes"), log);
            assertTrue(log.contains("[input] key 30 down\ntask 2: event kind 1 code 30 value 1\n"), log);
            assertTrue(log.contains("task 4: app got input from task 0: kind 1 code 30 value 1\n"
                    + "task 4: app routing input itself: -6, other kernel message: -3\n"), log);
            assertTrue(log.contains("task 2: routed to task 4: yes\n"), log);
        }
    }

    static int differing(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) n++;
        return n;
    }
}
