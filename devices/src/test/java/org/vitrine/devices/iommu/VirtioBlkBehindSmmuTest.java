package org.vitrine.devices.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vitrine.devices.virtio.VirtioTestDriver.in;
import static org.vitrine.devices.virtio.VirtioTestDriver.out;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitrine.devices.virtio.VirtioBlk;
import org.vitrine.devices.virtio.VirtioTestDriver;
import org.vitrine.emulator.spi.InterruptLine;
import org.vitrine.emulator.time.EventQueue;

/**
 * A virtio-blk request whose data buffer the SMMU does not map fails the way virtio-blk reports
 * failures (VIRTIO_BLK_S_IOERR in the status byte), the SMMU records the fault in its event
 * queue, and the device stays usable: the next request succeeds.
 */
class VirtioBlkBehindSmmuTest {
    @TempDir
    Path dir;
    VirtioTestDriver d;
    VirtioBlk blk;
    Smmuv3 smmu;

    @AfterEach
    void tearDown() throws Exception {
        if (d != null) d.close();
        if (blk != null) blk.close();
    }

    @Test
    void unmappedDataBufferGivesIoErrorAndAnEvent() throws Exception {
        Path image = dir.resolve("disk.img");
        Files.write(image, new byte[64 * 512]);
        blk = new VirtioBlk(image, false, "");
        EventQueue clock = new EventQueue(1_000_000_000L);
        d = new VirtioTestDriver(blk, ram -> {
            smmu = new Smmuv3(ram, clock, org.vitrine.emulator.spi.GuestLog.silent(), 0, InterruptLine.UNCONNECTED,
                    InterruptLine.UNCONNECTED, InterruptLine.UNCONNECTED, InterruptLine.UNCONNECTED);
            return smmu.port(0, "virtio-blk");
        });
        // Identity-map the driver's 16 MiB of RAM, 4 KiB pages in the first 2 MiB, 2 MiB blocks above.
        long strtab = d.alloc(64, 64), cd = d.alloc(64, 64), evtq = d.alloc(4 * 32, 128);
        long l0 = d.alloc(4096, 4096), l1 = d.alloc(4096, 4096), l2 = d.alloc(4096, 4096), l3 = d.alloc(4096, 4096);
        long hole = d.alloc(4096, 4096);
        long base = VirtioTestDriver.RAM_BASE;
        w64(strtab, 0b101 << 1 | 1 | cd);
        w64(cd, 16 | 1L << 31 | 1L << 41);
        w64(cd + 8, l0);
        w64(l0, l1 | 0b11);
        w64(l1 + 8, l2 | 0b11);
        w64(l2, l3 | 0b11);
        for (int i = 1; i < 8; i++) w64(l2 + 8L * i, base + ((long) i << 21) | 0b01 | 1L << 10);
        for (int i = 0; i < 512; i++) {
            long pa = base + 0x1000L * i;
            if (pa != hole) w64(l3 + 8L * i, pa | 0b11 | 1L << 10);
        }
        smmu.write(0x80, 4, strtab);
        smmu.write(0x88, 4, 0); // one STE
        smmu.write(0xA0, 4, evtq | 2);
        smmu.write(0x20, 4, 0b101); // SMMUEN, EVTQEN

        d.init(0);
        VirtioTestDriver.Queue q = d.queue(0, 8);
        d.driverOk();
        long header = d.put(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(VirtioBlk.T_IN).putInt(0).putLong(0).array());
        long status = d.alloc(1);
        q.post(out(header, 16), in(hole, 512), in(status, 1));
        q.kick();
        assertEquals(new VirtioTestDriver.Used(0, 1), q.takeOne());
        assertEquals(VirtioBlk.S_IOERR, d.read(status, 1)[0] & 0xFF);
        assertEquals(0, d.status() & VirtioTestDriver.NEEDS_RESET, "the device is not broken");
        assertTrue(smmu.faults() > 0);
        assertEquals(Smmuv3Tables.F_TRANSLATION, d.readLe(evtq, 8).getLong(0) & 0xFF);
        assertEquals(hole, d.readLe(evtq + 16, 8).getLong(0), "the faulting IOVA");

        long good = d.alloc(512, 512);
        q.post(out(header, 16), in(good, 512), in(status, 1));
        q.kick();
        q.takeOne();
        assertEquals(VirtioBlk.S_OK, d.read(status, 1)[0] & 0xFF);
    }

    private void w64(long pa, long v) {
        d.write(pa, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }
}
