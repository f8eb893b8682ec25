package org.vitrine.emulator.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A group posted at once (a pointer's X, Y and SYN) is drained whole: a delivery on the emulation
 * thread never takes part of it while the window's thread is still posting the rest. (Split
 * groups made the recording of a window session fall back to raw input lines under load.)
 */
class HostInputGroupTest {
    @Test
    void drainsNeverSplitAGroupPostedAtOnce() throws Exception {
        HostInput in = new HostInput();
        int groups = 50_000;
        Thread poster = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < groups; i++) {
                in.post(List.of(new HostInput.Event(HostInput.Target.TABLET, HostInput.EV_ABS, HostInput.ABS_X, i),
                        new HostInput.Event(HostInput.Target.TABLET, HostInput.EV_ABS, HostInput.ABS_Y, i),
                        HostInput.sync(HostInput.Target.TABLET)));
            }
        });
        int seen = 0, drains = 0;
        while (poster.isAlive() || !in.isEmpty()) {
            List<HostInput.Event> got = in.drain();
            if (got.isEmpty()) continue;
            drains++;
            assertEquals(0, got.size() % 3, "a drain of " + got.size() + " events split a group");
            for (int i = 0; i < got.size(); i += 3) {
                assertEquals(HostInput.ABS_X, got.get(i).code());
                assertEquals(got.get(i).value(), got.get(i + 1).value(), "X and Y of one group");
                assertEquals(HostInput.EV_SYN, got.get(i + 2).type());
            }
            seen += got.size() / 3;
        }
        poster.join();
        assertEquals(groups, seen);
        assertTrue(drains > 1, "the drains ran while the groups were posted");
    }
}
