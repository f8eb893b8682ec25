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
        Restored r = saveWithAPostThenRestore(false);
        assertEquals(List.of(A), r.queue(), "the queue at the save, without what was posted after it");
        assertEquals(1, r.redeliveries());
    }

    @Test
    void aRestoreWhileHeldLeavesTheQueueAsItIs() throws Exception {
        Restored r = saveWithAPostThenRestore(true);
        assertEquals(List.of(B), r.queue(), "A was delivered already (the journal replays it); B waits for the present");
        assertEquals(0, r.redeliveries());
    }

    private record Restored(List<HostInput.Event> queue, int redeliveries) { }

    /** A posted and saved undelivered, then delivered; B posted; the save restored, held or not. */
    private static Restored saveWithAPostThenRestore(boolean held) throws Exception {
        HostInput in = new HostInput();
        AtomicInteger redelivered = new AtomicInteger();
        in.post(A);
        Snapshot s = Snapshot.take(Map.of(), List.of(in.snapshotPart(redelivered::incrementAndGet)));
        in.drain();
        in.post(B);
        in.hold(held);
        s.restore(List.of(in.snapshotPart(redelivered::incrementAndGet)));
        return new Restored(in.drain(), redelivered.get());
    }
}
