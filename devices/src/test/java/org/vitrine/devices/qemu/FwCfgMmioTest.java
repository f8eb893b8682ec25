package org.vitrine.devices.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.GuestLog;

/**
 * {@link FwCfgMmio} as a little-endian guest sees it: big-endian selector and DMA registers, the
 * data port giving an item's bytes in order, the file directory, and DMA reads, skips, refused
 * writes and descriptors outside memory.
 */
class FwCfgMmioTest {
    /** 64 KiB of "guest memory" at address 0x1000. */
    static final class Memory implements DmaPort {
        final byte[] ram = new byte[0x10000];
        static final long BASE = 0x1000;

        @Override
        public void read(long address, byte[] into, int offset, int length) throws DmaException {
            check(address, length);
            System.arraycopy(ram, (int) (address - BASE), into, offset, length);
        }

        @Override
        public void write(long address, byte[] from, int offset, int length) throws DmaException {
            check(address, length);
            System.arraycopy(from, offset, ram, (int) (address - BASE), length);
        }

        @Override
        public MemorySegment window(long address, long length) throws DmaException {
            check(address, (int) length);
            return MemorySegment.ofArray(ram).asSlice(address - BASE, length);
        }

        private void check(long address, int length) throws DmaException {
            if (address < BASE || address + length > BASE + ram.length) throw new DmaException("outside memory: 0x" + Long.toHexString(address));
        }
    }

    final Memory mem = new Memory();
    final GuestLog log = GuestLog.silent();
    final FwCfgMmio fw = new FwCfgMmio(mem, log);

    /** What a little-endian CPU writes to select {@code key}: cpu_to_be16(key). */
    void select(int key) {
        fw.write(0x8, 2, Short.reverseBytes((short) key) & 0xFFFF);
    }

    byte[] readData(int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) out[i] = (byte) fw.read(0, 1);
        return out;
    }

    @Test
    void signatureAndIdThroughTheDataPort() {
        select(FwCfgMmio.SIGNATURE);
        assertEquals("QEMU", new String(readData(4), StandardCharsets.US_ASCII));
        select(FwCfgMmio.SIGNATURE);
        assertEquals(0x554d4551L, fw.read(0, 4), "a word read holds the bytes in memory order (\"QEMU\")");
        assertEquals(0, fw.read(0, 4), "past the item's end: zeros");
        select(FwCfgMmio.ID);
        assertEquals(3, fw.read(0, 4), "traditional interface and DMA");
        select(FwCfgMmio.NB_CPUS);
        assertEquals(1, fw.read(0, 2));
        select(0x7777);
        assertEquals(0, fw.read(0, 8), "an unknown item is empty");
        assertEquals("QEMU CFG", new String(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fw.read(0x10, 8)).array(),
                StandardCharsets.US_ASCII), "the DMA register's signature");
    }

    @Test
    void fileDirectoryListsTheFilesWithTheirSelectors() {
        select(FwCfgMmio.FILE_DIR);
        ByteBuffer dir = ByteBuffer.wrap(readData(4 + 3 * 64)).order(ByteOrder.BIG_ENDIAN);
        int count = dir.getInt();
        List<String> names = new ArrayList<>();
        int bootFailWait = -1, size = -1;
        for (int i = 0; i < count; i++) {
            int s = dir.getInt(), sel = dir.getShort() & 0xFFFF;
            dir.getShort();
            byte[] name = new byte[56];
            dir.get(name);
            String n = new String(name, StandardCharsets.US_ASCII).replace("\0", "");
            names.add(n);
            if (n.equals("etc/boot-fail-wait")) {
                bootFailWait = sel;
                size = s;
            }
        }
        assertEquals(List.of("bios-geometry", "bootorder", "etc/boot-fail-wait"), names);
        assertEquals(4, size);
        select(bootFailWait);
        assertEquals(0xFFFF_FFFFL, fw.read(0, 4), "no reboot timeout");
    }

    void descriptor(long at, int control, int length, long address) {
        ByteBuffer.wrap(mem.ram, (int) (at - Memory.BASE), 16).order(ByteOrder.BIG_ENDIAN).putInt(control).putInt(length).putLong(address);
    }

    int control(long at) {
        return ByteBuffer.wrap(mem.ram, (int) (at - Memory.BASE), 4).order(ByteOrder.BIG_ENDIAN).getInt();
    }

    /** Starts DMA as a little-endian guest: the descriptor's address big-endian, low half last. */
    void startDma(long descriptor) {
        fw.write(0x10, 4, Integer.reverseBytes((int) (descriptor >>> 32)) & 0xFFFF_FFFFL);
        fw.write(0x14, 4, Integer.reverseBytes((int) descriptor) & 0xFFFF_FFFFL);
    }

    @Test
    void dmaSelectsSkipsAndReads() {
        descriptor(0x2000, (FwCfgMmio.SIGNATURE << 16) | FwCfgMmio.DMA_SELECT | FwCfgMmio.DMA_SKIP, 1, 0);
        startDma(0x2000);
        assertEquals(0, control(0x2000), "done without error");
        descriptor(0x2000, FwCfgMmio.DMA_READ, 8, 0x3000);
        fw.write(0x10, 8, Long.reverseBytes(0x2000));
        assertEquals(0, control(0x2000));
        assertEquals("EMU\0\0\0\0\0", new String(mem.ram, 0x2000, 8, StandardCharsets.US_ASCII), "the rest of the signature, then zeros");
    }

    @Test
    void badDmaIsAnErrorNotACrash() {
        long before = log.count();
        descriptor(0x2000, (FwCfgMmio.SIGNATURE << 16) | FwCfgMmio.DMA_SELECT | FwCfgMmio.DMA_READ, 4, 0xdead_0000L);
        startDma(0x2000);
        assertEquals(FwCfgMmio.DMA_ERROR, control(0x2000), "buffer outside memory: error bit");
        descriptor(0x2000, FwCfgMmio.DMA_WRITE, 4, 0x3000);
        startDma(0x2000);
        assertEquals(FwCfgMmio.DMA_ERROR, control(0x2000), "writes are refused");
        startDma(0x9999_0000L);
        fw.read(0x9, 2);
        assertTrue(log.count() >= before + 4, "each reported");
    }
}
