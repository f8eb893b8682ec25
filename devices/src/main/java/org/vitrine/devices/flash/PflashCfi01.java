package org.vitrine.devices.flash;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.vitrine.emulator.snapshot.PageImage;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.snapshot.StateReader;
import org.vitrine.emulator.snapshot.StateWriter;
import org.vitrine.emulator.spi.ArrayMemoryDevice;
import org.vitrine.emulator.spi.GuestLog;

/**
 * One bank of CFI NOR flash with the Intel/Sharp extended command set (CFI command set 0x0001), as
 * QEMU's {@code pflash_cfi01} models it on the virt board: a 4-byte-wide bank made of two x16
 * chips side by side, 256 KiB erase blocks (128 KiB per chip), manufacturer 0x89 / device 0x18.
 * With two chips in parallel every answer (status, query byte, ID) is given once per 16-bit lane.
 *
 * <p>Commands (the low byte of a write; both chips get the same one): 0xFF/0xF0/0x00 read array,
 * 0x70 read status, 0x50 clear status, 0x90 read ID, 0x98 CFI query, 0x10/0x40 word program,
 * 0x20 + 0xD0 block erase, 0xE8 + count + data + 0xD0 buffered program (what U-Boot's {@code saveenv}
 * and Linux's cfi_cmdset_0001 use), 0x60 + 0xD0/0x01 block unlock/lock (accepted; blocks are never
 * locked). Program clears bits only (new = old AND data), as on the chip; erase sets a block to 0xFF.
 * A bad sequence sets the status error bits (0x30) and is logged as a guest error; clear status
 * resets them. Operations complete at once: status always reads ready (bit 7).
 *
 * <p>The flash is not a register file, so it does not use the register map: the array is memory
 * (the machine maps it as such while in array mode, see {@link ArrayMemoryDevice}) and the rest is
 * the command state machine below.
 */
public final class PflashCfi01 implements ArrayMemoryDevice, Snapshottable {
    public static final long BANK_SIZE = 64L << 20;
    public static final int BANK_WIDTH = 4, CHIP_WIDTH = 2, CHIPS = BANK_WIDTH / CHIP_WIDTH;
    public static final long BLOCK_SIZE = 256L << 10;
    public static final int MANUFACTURER = 0x89, DEVICE = 0x18;
    /** Largest buffered program, in bank-width writes: 2^11 bytes per chip (CFI 0x2A), both chips. */
    public static final int MAX_BUFFER_WRITES = (1 << 11) * CHIPS / BANK_WIDTH;

    public static final int STATUS_READY = 0x80, STATUS_ERASE_ERROR = 0x20, STATUS_PROGRAM_ERROR = 0x10;

    /** What reads return. */
    public enum ReadMode { ARRAY, STATUS, QUERY, ID }

    /** Where a multi-cycle command stands. */
    private enum Cycle { COMMAND, PROGRAM_DATA, ERASE_CONFIRM, BUFFER_COUNT, BUFFER_DATA, BUFFER_CONFIRM, LOCK_CONFIRM }

    private record PendingWrite(long offset, int size, long value) { }

    private final String name;
    private final MemorySegment array;
    private final GuestLog.Source log;
    private final byte[] cfi = cfiTable();
    private ReadMode mode = ReadMode.ARRAY;
    private Cycle cycle = Cycle.COMMAND;
    private int status = STATUS_READY;
    private long bufferBlock;
    private int bufferRemaining;
    private final List<PendingWrite> buffer = new ArrayList<>();
    private Runnable modeListener = () -> { };
    private final boolean anonymous;

    /** A bank over {@code array} ({@link #BANK_SIZE} bytes, page-aligned; a mapped file to persist). */
    public PflashCfi01(String name, MemorySegment array, GuestLog log) {
        this(name, array, false, log);
    }

    /**
     * @param anonymous the array is anonymous memory (pages never touched read as zero), so a
     *                  snapshot need not read all of it; false for a mapped file
     */
    public PflashCfi01(String name, MemorySegment array, boolean anonymous, GuestLog log) {
        if (array.byteSize() != BANK_SIZE) throw new IllegalArgumentException(name + ": a bank is " + BANK_SIZE + " bytes");
        this.name = name;
        this.array = array;
        this.anonymous = anonymous;
        this.log = log.source(name);
    }

    // ---- Snapshot -----------------------------------------------------------------------------

    @Override
    public String snapshotName() {
        return name;
    }

    @Override
    public int snapshotVersion() {
        return 1;
    }

    /**
     * Layout: i32 read mode, i32 command cycle, i32 status, i64 buffer block, i32 buffer writes
     * left, i32 n, n x (i64 offset, i32 size, i64 value) buffered writes, then the array as a
     * page image (a bank mapped from a file gets its contents back too).
     */
    @Override
    public void save(StateWriter out) {
        out.i32(mode.ordinal()).i32(cycle.ordinal()).i32(status).i64(bufferBlock).i32(bufferRemaining).i32(buffer.size());
        for (PendingWrite w : buffer) out.i64(w.offset()).i32(w.size()).i64(w.value());
        PageImage.save(out, array, anonymous);
    }

    @Override
    public Runnable load(StateReader in, int version) throws SnapshotException {
        ReadMode m = ReadMode.values()[in.i32("the read mode", 0, ReadMode.values().length - 1)];
        Cycle c = Cycle.values()[in.i32("the command cycle", 0, Cycle.values().length - 1)];
        int st = in.i32("the status", 0, 0xFF);
        long block = in.i64("the buffer block", 0, BANK_SIZE - 1);
        int remaining = in.i32("the buffered writes left", 0, MAX_BUFFER_WRITES);
        int n = in.i32("the buffered writes", 0, MAX_BUFFER_WRITES);
        List<PendingWrite> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            writes.add(new PendingWrite(in.i64("a buffered write's offset", 0, BANK_SIZE - 1), in.i32("a buffered write's size", 1, 8), in.i64()));
        }
        PageImage.Loaded contents = PageImage.load(in, BANK_SIZE);
        return () -> {
            mode = m;
            cycle = c;
            status = st;
            bufferBlock = block;
            bufferRemaining = remaining;
            buffer.clear();
            buffer.addAll(writes);
            contents.applyTo(array, anonymous);
            modeListener.run();  // array or register mode, as saved
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return BANK_SIZE;
    }

    @Override
    public MemorySegment array() {
        return array;
    }

    @Override
    public boolean inArrayMode() {
        return mode == ReadMode.ARRAY && cycle == Cycle.COMMAND;
    }

    @Override
    public void onModeChange(Runnable listener) {
        this.modeListener = listener;
    }

    public ReadMode readMode() {
        return mode;
    }

    public int status() {
        return status;
    }

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) v |= (long) readByte(offset + i) << (8 * i);
        return v;
    }

    private int readByte(long offset) {
        if (offset < 0 || offset >= BANK_SIZE) return 0;
        if (mode == ReadMode.ARRAY) return array.get(ValueLayout.JAVA_BYTE, offset) & 0xff;
        long word = offset / BANK_WIDTH;
        int perChip = switch (mode) {
            case STATUS -> status;
            case QUERY -> word < cfi.length ? cfi[(int) word] & 0xff : 0;
            case ID -> word == 0 ? MANUFACTURER : word == 1 ? DEVICE : 0; // word 2: block lock status, unlocked
            case ARRAY -> throw new AssertionError();
        };
        // Each chip answers on its own 16-bit lane: the byte, then a zero high byte.
        return (offset % CHIP_WIDTH) == 0 ? perChip : 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        boolean before = inArrayMode();
        step(offset, size, value);
        if (inArrayMode() != before) modeListener.run();
    }

    private void step(long offset, int size, long value) {
        int cmd = (int) (value & 0xff);
        switch (cycle) {
            case COMMAND -> command(offset, cmd);
            case PROGRAM_DATA -> {
                program(offset, size, value);
                cycle = Cycle.COMMAND;
                mode = ReadMode.STATUS;
            }
            case ERASE_CONFIRM -> {
                cycle = Cycle.COMMAND;
                mode = ReadMode.STATUS;
                if (cmd == 0xD0) {
                    long block = offset & -BLOCK_SIZE;
                    array.asSlice(block, BLOCK_SIZE).fill((byte) 0xff);
                } else {
                    sequenceError(STATUS_ERASE_ERROR | STATUS_PROGRAM_ERROR, "block erase at 0x%x not confirmed (0x%02x instead of 0xD0)", offset, cmd);
                }
            }
            case BUFFER_COUNT -> {
                int writes = (int) (value & 0xffff) + 1; // per chip, replicated in each lane
                if (writes > MAX_BUFFER_WRITES) {
                    cycle = Cycle.COMMAND;
                    mode = ReadMode.STATUS;
                    sequenceError(STATUS_ERASE_ERROR | STATUS_PROGRAM_ERROR, "buffered program of %d writes (the buffer holds %d)", writes, MAX_BUFFER_WRITES);
                } else {
                    bufferRemaining = writes;
                    buffer.clear();
                    cycle = Cycle.BUFFER_DATA;
                }
            }
            case BUFFER_DATA -> {
                if ((offset & -BLOCK_SIZE) != bufferBlock) {
                    cycle = Cycle.COMMAND;
                    mode = ReadMode.STATUS;
                    sequenceError(STATUS_PROGRAM_ERROR, "buffered program write at 0x%x leaves the block at 0x%x", offset, bufferBlock);
                    return;
                }
                buffer.add(new PendingWrite(offset, size, value));
                if (--bufferRemaining == 0) cycle = Cycle.BUFFER_CONFIRM;
            }
            case BUFFER_CONFIRM -> {
                cycle = Cycle.COMMAND;
                mode = ReadMode.STATUS;
                if (cmd == 0xD0) {
                    for (PendingWrite w : buffer) program(w.offset(), w.size(), w.value());
                } else {
                    sequenceError(STATUS_ERASE_ERROR | STATUS_PROGRAM_ERROR, "buffered program not confirmed (0x%02x instead of 0xD0)", cmd);
                }
                buffer.clear();
            }
            case LOCK_CONFIRM -> {
                cycle = Cycle.COMMAND;
                mode = ReadMode.STATUS;
                if (cmd != 0xD0 && cmd != 0x01 && cmd != 0x2F) {
                    sequenceError(STATUS_ERASE_ERROR | STATUS_PROGRAM_ERROR, "block lock command 0x60 followed by 0x%02x", cmd);
                }
            }
        }
    }

    private void command(long offset, int cmd) {
        switch (cmd) {
            case 0xFF, 0xF0, 0x00 -> mode = ReadMode.ARRAY;
            case 0x70 -> mode = ReadMode.STATUS;
            case 0x50 -> status &= ~(STATUS_ERASE_ERROR | STATUS_PROGRAM_ERROR);
            case 0x90 -> mode = ReadMode.ID;
            case 0x98 -> mode = ReadMode.QUERY;
            case 0x10, 0x40 -> {
                cycle = Cycle.PROGRAM_DATA;
                mode = ReadMode.STATUS;
            }
            case 0x20 -> {
                cycle = Cycle.ERASE_CONFIRM;
                mode = ReadMode.STATUS;
            }
            case 0xE8 -> {
                cycle = Cycle.BUFFER_COUNT;
                mode = ReadMode.STATUS; // reads give the extended status: buffer available
                bufferBlock = offset & -BLOCK_SIZE;
            }
            case 0x60 -> {
                cycle = Cycle.LOCK_CONFIRM;
                mode = ReadMode.STATUS;
            }
            default -> {
                mode = ReadMode.STATUS;
                sequenceError(STATUS_ERASE_ERROR | STATUS_PROGRAM_ERROR, "unknown command 0x%02x at offset 0x%x", cmd, offset);
            }
        }
    }

    private void program(long offset, int size, long value) {
        if (offset < 0 || offset + size > BANK_SIZE) return;
        for (int i = 0; i < size; i++) {
            byte old = array.get(ValueLayout.JAVA_BYTE, offset + i);
            array.set(ValueLayout.JAVA_BYTE, offset + i, (byte) (old & (value >>> (8 * i))));
        }
    }

    private void sequenceError(int bits, String format, Object... args) {
        status |= bits;
        log.guestError(format, args);
    }

    /** The CFI query table of one x16 chip (32 MiB, 256 blocks of 128 KiB), by CFI byte address. */
    private static byte[] cfiTable() {
        int chipBytesLog2 = Long.numberOfTrailingZeros(BANK_SIZE / CHIPS);
        int blocks = (int) (BANK_SIZE / BLOCK_SIZE);
        int chipBlock = (int) (BLOCK_SIZE / CHIPS);
        int[] t = new int[0x40];
        t[0x10] = 'Q'; t[0x11] = 'R'; t[0x12] = 'Y';
        t[0x13] = 0x01; t[0x14] = 0x00;             // primary command set: Intel/Sharp extended
        t[0x15] = 0x31; t[0x16] = 0x00;             // its extended table at 0x31
        t[0x1B] = 0x45; t[0x1C] = 0x55;             // Vcc 4.5-5.5 V, no Vpp pin
        t[0x1F] = 0x07; t[0x20] = 0x07; t[0x21] = 0x0a; // typical timeouts: word 128 us, buffer 128 us, block 1 s
        t[0x23] = 0x04; t[0x24] = 0x04; t[0x25] = 0x04; // maximum = typical x 16
        t[0x27] = chipBytesLog2;                    // chip size 2^n bytes
        t[0x28] = 0x02; t[0x29] = 0x00;             // x8/x16 interface
        t[0x2A] = 11; t[0x2B] = 0;                  // buffered program: 2^11 bytes
        t[0x2C] = 1;                                // one region of uniform blocks
        t[0x2D] = (blocks - 1) & 0xff; t[0x2E] = (blocks - 1) >> 8;
        t[0x2F] = (chipBlock >> 8) & 0xff; t[0x30] = chipBlock >> 16;
        t[0x31] = 'P'; t[0x32] = 'R'; t[0x33] = 'I'; t[0x34] = '1'; t[0x35] = '0';
        byte[] b = new byte[t.length];
        for (int i = 0; i < t.length; i++) b[i] = (byte) t[i];
        return b;
    }
}
