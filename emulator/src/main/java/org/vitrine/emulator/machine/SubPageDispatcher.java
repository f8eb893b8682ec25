package org.vitrine.emulator.machine;

import java.util.ArrayList;
import java.util.List;

import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.MmioDevice;

/**
 * One MMIO page shared by several register blocks smaller than a page (Unicorn can only map whole
 * pages): routes each access to the block it falls in, with the offset relative to that block.
 * Offsets no block claims are guest errors, read as zero and ignore writes.
 */
final class SubPageDispatcher implements MmioDevice {
    private record Slot(long offset, long size, MmioDevice device) { }

    private final long base;
    private final long size;
    private final List<Slot> slots = new ArrayList<>();
    private final GuestLog.Source log;

    SubPageDispatcher(long base, long size, GuestLog log) {
        this.base = base;
        this.size = size;
        this.log = log.source(name());
    }

    void add(long offset, MmioDevice device) {
        slots.add(new Slot(offset, device.size(), device));
    }

    @Override
    public String name() {
        return String.format("mmio-page@0x%x", base);
    }

    @Override
    public long size() {
        return size;
    }

    private Slot find(long offset) {
        for (Slot s : slots) {
            if (offset >= s.offset && offset < s.offset + s.size) return s;
        }
        return null;
    }

    @Override
    public long read(long offset, int sz) {
        Slot s = find(offset);
        if (s == null) {
            log.guestError("read at 0x%x where no device is mapped", base + offset);
            return 0;
        }
        return s.device.read(offset - s.offset, sz);
    }

    @Override
    public void write(long offset, int sz, long value) {
        Slot s = find(offset);
        if (s == null) {
            log.guestError("write of 0x%x at 0x%x where no device is mapped", value, base + offset);
            return;
        }
        s.device.write(offset - s.offset, sz, value);
    }
}
