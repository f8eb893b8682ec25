package org.vitrine.emulator.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.MmioDevice;

/**
 * {@link SubPageDispatcher}: accesses reach the block they fall in with block-relative offsets;
 * the gaps between blocks read as zero, ignore writes and are reported to the machine's log under
 * the page's name.
 */
class SubPageDispatcherTest {
    /** A 0x200-byte block that answers its offset plus a tag and remembers the last write. */
    static final class Block implements MmioDevice {
        final long tag;
        long lastWriteOffset = -1;
        long lastWriteValue;

        Block(long tag) {
            this.tag = tag;
        }

        @Override
        public String name() {
            return "block" + tag;
        }

        @Override
        public long size() {
            return 0x200;
        }

        @Override
        public long read(long offset, int size) {
            return tag + offset;
        }

        @Override
        public void write(long offset, int size, long value) {
            lastWriteOffset = offset;
            lastWriteValue = value;
        }
    }

    @Test
    void routesByOffsetAndReportsTheGaps() {
        GuestLog log = GuestLog.silent();
        SubPageDispatcher page = new SubPageDispatcher(0x0a00_0000L, 0x1000, log);
        Block a = new Block(0x1000);
        Block b = new Block(0x2000);
        page.add(0x000, a);
        page.add(0x400, b);

        assertEquals(0x1000 + 0x10, page.read(0x010, 4));
        assertEquals(0x2000 + 0x1fc, page.read(0x5fc, 4));
        page.write(0x404, 4, 7);
        assertEquals(4, b.lastWriteOffset);
        assertEquals(7, b.lastWriteValue);
        assertEquals(0, log.count());

        assertEquals(0, page.read(0x200, 4), "nothing mapped between the blocks");
        page.write(0x800, 4, 1);
        assertEquals(-1, a.lastWriteOffset, "the gap write reached no block");
        assertEquals(2, log.count(GuestLog.Kind.GUEST_ERROR));
        assertEquals(2, log.source(page.name()).count());
    }
}
