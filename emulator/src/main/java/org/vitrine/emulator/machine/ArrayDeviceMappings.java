package org.vitrine.emulator.machine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.spi.ArrayMemoryDevice;
import org.vitrine.emulator.spi.MmioDevice;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * Maps {@link ArrayMemoryDevice}s the fast way: as read-only, executable memory while they are in
 * array mode, as MMIO otherwise.
 *
 * <p>In array mode a guest store reaches Unicorn's write-protection hook, which passes it to the
 * device (a command) and returns "handled"; Unicorn then stores the value into the read-only
 * memory anyway. Remapping from inside that hook crashes libunicorn 2.1, so the fix-up is posted to
 * the CPU, which runs it between blocks: it puts back the bytes the device left (a command changes none, a program its word) and, when the
 * command left array mode, swaps the RAM mapping for the MMIO one. A read of the device by the rest
 * of the very block that wrote the command still sees array data; guests poll in a later block.
 */
final class ArrayDeviceMappings {
    private static final int HOOK_MEM_WRITE_PROT = 1 << 8;

    private final Unicorn uc;
    private final Cpu cpu;
    private final Function<MmioDevice, Unicorn.MmioHandler> mmio;
    private final List<Mapping> mappings = new ArrayList<>();

    private final class Mapping {
        final long base;
        final ArrayMemoryDevice device;
        boolean mappedAsMemory;

        Mapping(long base, ArrayMemoryDevice device) {
            this.base = base;
            this.device = device;
        }

        boolean contains(long pa) {
            return pa >= base && pa - base < device.size();
        }

        /** Makes the mapping match the device's mode; only between blocks. */
        void sync() {
            boolean wanted = device.inArrayMode();
            if (wanted == mappedAsMemory) return;
            uc.unmap(base, device.size());
            if (wanted) {
                uc.mapPtr(base, device.array(), Unicorn.PROT_READ | Unicorn.PROT_EXEC);
            } else {
                uc.mapMmio(base, device.size(), mmio.apply(device));
            }
            mappedAsMemory = wanted;
        }
    }

    ArrayDeviceMappings(Unicorn uc, Cpu cpu, Function<MmioDevice, Unicorn.MmioHandler> mmio) {
        this.uc = uc;
        this.cpu = cpu;
        this.mmio = mmio;
    }

    void map(long base, ArrayMemoryDevice device) {
        if (device.array().byteSize() != device.size()) throw new IllegalArgumentException(device.name() + ": array size differs from the region size");
        Mapping m = new Mapping(base, device);
        // Over the device only: a hook that covers RAM too slows every store to it (Unicorn.hookMemoryEvent).
        uc.hookMemoryEvent(HOOK_MEM_WRITE_PROT, this::onWriteToArray, base, base + device.size() - 1);
        mappings.add(m);
        // Starts as MMIO then syncs, so both kinds of mapping are exercised from the first boot.
        uc.mapMmio(base, device.size(), mmio.apply(device));
        m.sync();
        device.onModeChange(() -> cpu.post(m::sync));
    }

    private boolean onWriteToArray(int type, long address, int size, long value) {
        for (Mapping m : mappings) {
            if (!m.contains(address)) continue;
            long offset = address - m.base;
            MemorySegment stored = m.device.array().asSlice(offset, Math.min(size, m.device.size() - offset));
            if (size == 8) {
                m.device.write(offset, 4, value & 0xffff_ffffL);
                m.device.write(offset + 4, 4, value >>> 32);
            } else {
                m.device.write(offset, size, value);
            }
            // What the bytes must hold: the device's doing (a program) or nothing; the store lands after us.
            byte[] keep = stored.toArray(ValueLayout.JAVA_BYTE);
            cpu.post(() -> {
                MemorySegment.copy(MemorySegment.ofArray(keep), 0, stored, 0, keep.length);
                m.sync();
            });
            return true;
        }
        return false;
    }
}
