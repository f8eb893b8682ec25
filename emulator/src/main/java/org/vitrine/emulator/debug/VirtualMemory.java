package org.vitrine.emulator.debug;

import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.cpu.PageTableWalker;
import org.vitrine.emulator.memory.PhysicalMemory;

/**
 * Guest memory as the CPU sees it now: virtual addresses translated through the current EL1&amp;0
 * stage-1 tables, page by page (consecutive virtual pages need not be consecutive physically).
 * Only RAM is reachable: reading a device register has side effects (a UART read pops its FIFO)
 * that a debugger looking at memory must not cause. Nothing here throws for a bad address; the
 * result says how many bytes were reachable.
 */
public final class VirtualMemory {
    private static final long PAGE = 0x1000;

    private final Cpu cpu;
    private final PhysicalMemory ram;

    public VirtualMemory(Cpu cpu, PhysicalMemory ram) {
        this.cpu = cpu;
        this.ram = ram;
    }

    /** The bytes at [va, va + length) up to the first unreachable one (possibly none). */
    public byte[] read(long va, int length) {
        byte[] out = new byte[Math.max(0, length)];
        int done = 0;
        while (done < out.length) {
            long pa = physical(va + done, out.length - done);
            if (pa == PageTableWalker.FAULT) break;
            int chunk = chunk(va + done, out.length - done);
            try {
                System.arraycopy(ram.read(pa, chunk), 0, out, done, chunk);
            } catch (PhysicalMemory.BadAddressException e) {
                break;
            }
            done += chunk;
        }
        return done == out.length ? out : java.util.Arrays.copyOf(out, done);
    }

    /** Writes {@code data} at va up to the first unreachable byte; returns how many bytes were written. */
    int write(long va, byte[] data) {
        int done = 0;
        while (done < data.length) {
            long pa = physical(va + done, data.length - done);
            if (pa == PageTableWalker.FAULT) break;
            int chunk = chunk(va + done, data.length - done);
            try {
                ram.write(pa, data, done, chunk);
            } catch (PhysicalMemory.BadAddressException e) {
                break;
            }
            done += chunk;
        }
        return done;
    }

    /** The physical address of va when the rest of its page (as far as needed) is RAM, else FAULT. */
    private long physical(long va, int left) {
        long pa = cpu.translateVa(va);
        if (pa == PageTableWalker.FAULT) return PageTableWalker.FAULT;
        return ram.contains(pa, chunk(va, left)) ? pa : PageTableWalker.FAULT;
    }

    private static int chunk(long va, int left) {
        long toPageEnd = PAGE - (va & (PAGE - 1));
        return (int) Math.min(left, toPageEnd);
    }
}
