package org.vitrine.devices.board;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vitrine.devices.flash.PflashCfi01;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.snapshot.Snapshot;
import org.vitrine.emulator.snapshot.SnapshotException;
import org.vitrine.emulator.snapshot.SnapshotFile;
import org.vitrine.emulator.snapshot.Snapshottable;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.MmioDevice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Snapshots of the whole virt board: no device can be left out (every region of the physical map
 * is a part of the snapshot, belongs to one, or is a block of constants, which the test checks by
 * writing to it); parts have unique names; a snapshot comes back through a file into a fresh board,
 * state included; and a snapshot of another machine (RAM, display, devices) is refused with each
 * difference named, leaving the board as it was.
 */
class BoardSnapshotTest {
    @TempDir
    Path dir;

    private VirtBoard board(long ram, VirtBoard.Options.Display display) throws Exception {
        return board(ram, display, VirtBoard.Options.IommuChoice.NONE);
    }

    private VirtBoard board(long ram, VirtBoard.Options.Display display, VirtBoard.Options.IommuChoice iommu) throws Exception {
        Path disk = dir.resolve("disk-" + System.nanoTime() + ".img");
        Files.write(disk, new byte[1 << 20]);
        Path flash1 = dir.resolve("flash1-" + System.nanoTime() + ".img");
        Files.write(flash1, new byte[(int) PflashCfi01.BANK_SIZE]);
        VirtBoard.Options o = VirtBoard.Options.defaults().withRam(ram).withDisk(disk, false).withGuestLog(GuestLog.Sink.NONE)
                .withFirmware(new VirtBoard.Options.Firmware(null, null, flash1, 0));
        if (display != null) o = o.withDesktop(display);
        return new VirtBoard(o.withIommu(iommu), b -> { });
    }

    @ParameterizedTest
    @EnumSource(VirtBoard.Options.IommuChoice.Model.class)
    void everyDeviceOfTheBoardHasSnapshotSupport(VirtBoard.Options.IommuChoice.Model iommu) throws Exception {
        VirtBoard.Options.IommuChoice choice = iommu == VirtBoard.Options.IommuChoice.Model.NONE ? VirtBoard.Options.IommuChoice.NONE
                : new VirtBoard.Options.IommuChoice(iommu, -1, false);
        try (VirtBoard b = board(64L << 20, new VirtBoard.Options.Display(640, 480), choice)) {
            if (b.iommu() != null) assertTrue(b.snapshotParts().contains(b.iommu()), "the IOMMU is a part of the snapshot");
            List<Snapshottable> parts = b.snapshotParts();
            Set<String> names = new HashSet<>();
            for (Snapshottable p : parts) {
                assertTrue(names.add(p.snapshotName()), "two parts named " + p.snapshotName());
                assertTrue(p.snapshotVersion() >= 1, p.snapshotName());
            }
            for (Machine.Region r : b.machine().regions()) {
                MmioDevice d = r.device();
                if (d instanceof Snapshottable s) {
                    assertTrue(parts.contains(s), d.name() + " at 0x" + Long.toHexString(r.base()) + " is not in the board's snapshot");
                } else if (d instanceof Snapshottable.View v) {
                    if (v.owner() != null) {
                        assertTrue(parts.contains(v.owner()), d.name() + "'s owner " + v.owner().snapshotName() + " is not in the snapshot");
                    } else {
                        assertConstant(d);
                    }
                } else {
                    fail(d.name() + " at 0x" + Long.toHexString(r.base()) + " (" + d.getClass().getName() + ") has no snapshot support");
                }
            }
        }
    }

    /** A region claiming to have no state: whatever is written, every word reads the same. */
    private static void assertConstant(MmioDevice d) {
        long[] before = new long[(int) (d.size() / 4)];
        for (int i = 0; i < before.length; i++) before[i] = d.read(4L * i, 4);
        for (int i = 0; i < before.length; i++) d.write(4L * i, 4, 0xFFFF_FFFFL);
        for (int i = 0; i < before.length; i++) assertEquals(before[i], d.read(4L * i, 4), d.name() + " changed at 0x" + Integer.toHexString(4 * i));
    }

    @Test
    void stateComesBackInAFreshBoard() throws Exception {
        Snapshot s;
        try (VirtBoard b = board(64L << 20, null)) {
            b.machine().ram().write(VirtBoard.RAM_BASE + 0x1234, new byte[] {1, 2, 3}, 0, 3);
            b.uart().write(0x038, 4, 0x50);                       // UARTIMSC
            b.gic().distributor().write(0x100 + 4, 4, 1 << 1);    // GICD_ISENABLER1: INTID 33
            b.gic().distributor().write(0x400 + 33, 1, 0xA0);     // its priority
            s = SnapshotFile.decode(SnapshotFile.encode(BoardSnapshot.take(b, "running")));
        }
        try (VirtBoard fresh = board(64L << 20, null)) {
            BoardSnapshot.restore(fresh, s);
            byte[] back = fresh.machine().ram().read(VirtBoard.RAM_BASE + 0x1234, 3);
            assertEquals(List.of((byte) 1, (byte) 2, (byte) 3), List.of(back[0], back[1], back[2]));
            assertEquals(0x50, fresh.uart().read(0x038, 4));
            assertEquals(1 << 1, fresh.gic().distributor().read(0x100 + 4, 4) & (1 << 1));
            assertEquals(0xA0, fresh.gic().distributor().read(0x400 + 33, 1));
        }
    }

    /**
     * Each IOMMU's state (here a register a driver programs first, and the detector) comes back in
     * a fresh board built from the snapshot's own description; a board without that IOMMU refuses it.
     */
    @ParameterizedTest
    @EnumSource(value = VirtBoard.Options.IommuChoice.Model.class, names = {"SMMUV3", "VTD", "AMDVI"})
    void iommuStateComesBackAndAMachineWithoutItRefuses(VirtBoard.Options.IommuChoice.Model model) throws Exception {
        long tableRegister = switch (model) {
            case SMMUV3 -> 0x80;  // STRTAB_BASE
            case VTD -> 0x20;     // RTADDR
            case AMDVI -> 0x0;    // DevTableBase
            case NONE -> throw new AssertionError();
        };
        Snapshot s;
        try (VirtBoard b = board(64L << 20, null, new VirtBoard.Options.IommuChoice(model, 2500, true))) {
            b.iommu().write(tableRegister, 4, 0x4123_4000L);
            s = SnapshotFile.decode(SnapshotFile.encode(BoardSnapshot.take(b, "running")));
        }
        VirtBoard.Options o = BoardSnapshot.options(s, VirtBoard.Options.defaults().withGuestLog(GuestLog.Sink.NONE), null);
        assertEquals(new VirtBoard.Options.IommuChoice(model, 2500, true), o.iommu(), "the snapshot says which IOMMU, its latency and --iommu-check");
        try (VirtBoard fresh = new VirtBoard(o, b -> { })) {
            BoardSnapshot.restore(fresh, s);
            assertEquals(0x4123_4000L, fresh.iommu().read(tableRegister, 4));
        }
        try (VirtBoard without = board(64L << 20, null)) {
            SnapshotException e = assertThrows(SnapshotException.class, () -> BoardSnapshot.restore(without, s));
            assertTrue(e.getMessage().contains("iommu is " + model.name().toLowerCase() + " in the snapshot, none here"), e.getMessage());
        }
    }

    @Test
    void anotherMachinesSnapshotIsRefusedAndChangesNothing() throws Exception {
        Snapshot s;
        try (VirtBoard b = board(64L << 20, new VirtBoard.Options.Display(640, 480))) {
            b.machine().ram().write(VirtBoard.RAM_BASE, new byte[] {7}, 0, 1);
            s = BoardSnapshot.take(b, "running");
        }
        try (VirtBoard other = board(32L << 20, null)) {
            SnapshotException e = assertThrows(SnapshotException.class, () -> BoardSnapshot.restore(other, s));
            assertTrue(e.getMessage().contains("ram.size is 67108864 in the snapshot, 33554432 here"), e.getMessage());
            assertTrue(e.getMessage().contains("display is 640x480 in the snapshot, none here"), e.getMessage());
            assertTrue(e.getMessage().contains("sections"), e.getMessage());
            byte[] first = other.machine().ram().read(VirtBoard.RAM_BASE, 1);
            assertEquals(0, first[0], "RAM untouched");
        }
    }

    /** Boots {@code firmware} (a few bytes of code in flash bank 0) on a board with a plain flash1. */
    private VirtBoard booted(byte[] firmware) throws Exception {
        Path bios = dir.resolve("bios-" + System.nanoTime() + ".bin");
        Files.write(bios, firmware);
        Path flash1 = dir.resolve("flash1-" + System.nanoTime() + ".img");
        Files.write(flash1, new byte[(int) PflashCfi01.BANK_SIZE]);
        VirtBoard b = new VirtBoard(VirtBoard.Options.defaults().withRam(64L << 20).withGuestLog(GuestLog.Sink.NONE)
                .withFirmware(new VirtBoard.Options.Firmware(null, bios, flash1, 0)), x -> { });
        b.boot(null);
        return b;
    }

    /**
     * The image a machine booted is part of its identity: a snapshot restores into a board booted
     * from the same bytes, and one booted from other bytes refuses it, naming both hashes (the hash
     * is computed beside the boot, so this also checks that a restore waits for it).
     */
    @Test
    void aSnapshotOfAnotherBootedImageIsRefused() throws Exception {
        byte[] wfiLoop = {0x7f, 0x20, 0x03, (byte) 0xd5, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x17};  // wfi; b .-4
        byte[] other = wfiLoop.clone();
        other[0] = 0x5f;                                                                                 // nop in place of wfi
        Snapshot s;
        String hash;
        try (VirtBoard b = booted(wfiLoop)) {
            s = SnapshotFile.decode(SnapshotFile.encode(BoardSnapshot.take(b, "running")));
            hash = b.bootImageHash();
        }
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(wfiLoop)), hash,
                "the hash of the booted file");
        try (VirtBoard same = booted(wfiLoop)) {
            BoardSnapshot.restore(same, s);
            assertEquals(hash, same.bootImageHash());
        }
        try (VirtBoard b = booted(other)) {
            SnapshotException e = assertThrows(SnapshotException.class, () -> BoardSnapshot.restore(b, s));
            assertTrue(e.getMessage().contains("booted another image (SHA-256 " + hash + ", this one " + b.bootImageHash() + ")"), e.getMessage());
        }
    }
}
