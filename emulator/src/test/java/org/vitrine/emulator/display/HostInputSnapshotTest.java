package org.vitrine.emulator.display;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.snapshot.Snapshot;

/**
 * The host-input part of a snapshot: a restore brings back the events posted but not yet
 * delivered at the save and asks for their delivery; a restore while the input is held (the
 * debugger rewinding, whose journal gives the past its input) leaves the host's queue alone, so
 * nothing is given twice and nothing the host posted meanwhile is lost.
 */
class HostInputSnapshotTest {
    private static final HostInput.Event A = new HostInput.Event(HostInput.Target.KEYBOARD, HostInput.EV_KEY, 30, 1);
    private static final HostInput.Event B = new HostInput.Event(HostInput.Target.KEYBOARD, HostInput.EV_KEY, 48, 1);

    @Test
    void aRestoreBringsBackTheUndeliveredEventsAndAsksForTheirDelivery() throws Exception {
        HostInput in = new HostInput();
        AtomicInteger redelivered = new AtomicInteger();
        in.post(A);
        Snapshot s = Snapshot.take(Map.of(), List.of(in.snapshotPart(redelivered::incrementAndGet)));
        in.drain();
        in.post(B);
        s.restore(List.of(in.snapshotPart(redelivered::incrementAndGet)));
        assertEquals(List.of(A), in.drain(), "the queue at the save, without what was posted after it");
        assertEquals(1, redelivered.get());
    }

    @Test
    void aRestoreWhileHeldLeavesTheQueueAsItIs() throws Exception {
        HostInput in = new HostInput();
        AtomicInteger redelivered = new AtomicInteger();
        in.post(A);
        Snapshot s = Snapshot.take(Map.of(), List.of(in.snapshotPart(redelivered::incrementAndGet)));
        in.drain();
        in.post(B);
        in.hold(true);
        s.restore(List.of(in.snapshotPart(redelivered::incrementAndGet)));
        assertEquals(List.of(B), in.drain(), "A was delivered already (the journal replays it); B waits for the present");
        assertEquals(0, redelivered.get());
    }
}
