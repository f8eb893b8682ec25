package org.vitrine.emulator.unicorn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.memory.HostMemory;
import org.vitrine.emulator.testutil.GuestAsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Guest physical memory through the binding: uc_mem_map / map_ptr / unmap / read / write, that a
 * map_ptr segment really is shared with the guest in both directions, and that refused calls
 * raise {@link UnicornException} carrying libunicorn's uc_err code.
 */
class UnicornMemoryTest {
    static final int UC_ERR_NOMEM = 1, UC_ERR_MAP = 11;
    static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void writeThenReadBack() {
        try (Unicorn uc = Guest.open()) {
            byte[] data = {1, 2, 3, 4, 5, 6, 7, 8, 9, (byte) 0xff};
            uc.write(Guest.RAM + 0x123, data);
            assertArrayEquals(data, uc.read(Guest.RAM + 0x123, data.length));
            assertArrayEquals(new byte[4], uc.read(Guest.RAM + 0x200, 4), "fresh RAM reads as zero");
            // read into a caller segment
            try (Arena a = Arena.ofConfined()) {
                MemorySegment into = a.allocate(3);
                uc.read(Guest.RAM + 0x124, into);
                assertArrayEquals(new byte[] {2, 3, 4}, into.toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void readAndWriteOfUnmappedMemoryAreRefusedWithTheirCode() {
        try (Unicorn uc = Guest.open()) {
            UnicornException r = assertThrows(UnicornException.class, () -> uc.read(0x1000_0000L, 4));
            assertEquals(Unicorn.ERR_READ_UNMAPPED, r.code());
            UnicornException w = assertThrows(UnicornException.class, () -> uc.write(0x1000_0000L, new byte[4]));
            assertEquals(Unicorn.ERR_WRITE_UNMAPPED, w.code());
            // a range running off the end of RAM
            UnicornException end = assertThrows(UnicornException.class, () -> uc.read(Guest.RAM + Guest.RAM_SIZE - 2, 4));
            assertEquals(Unicorn.ERR_READ_UNMAPPED, end.code());
        }
    }

    @Test
    void unmapRemovesMemory() {
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            uc.map(0x10_0000L, 0x2000, Unicorn.PROT_ALL);
            uc.write(0x10_1000L, new byte[] {42});
            uc.unmap(0x10_0000L, 0x2000);
            assertEquals(Unicorn.ERR_READ_UNMAPPED, assertThrows(UnicornException.class, () -> uc.read(0x10_1000L, 1)).code());
            // the range can be mapped again and is fresh
            uc.map(0x10_0000L, 0x2000, Unicorn.PROT_ALL);
            assertEquals(0, uc.read(0x10_1000L, 1)[0]);
            // unmapping what is not mapped is refused
            UnicornException e = assertThrows(UnicornException.class, () -> uc.unmap(0x20_0000L, 0x1000));
            assertEquals(UC_ERR_NOMEM, e.code(), "libunicorn answers UC_ERR_NOMEM for an unmapped range");
        }
    }

    @Test
    void overlappingMapIsRefusedWithUcErrMap() {
        try (Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72); Arena a = Arena.ofConfined()) {
            uc.map(0x10_0000L, 0x3000, Unicorn.PROT_ALL);
            UnicornException e = assertThrows(UnicornException.class, () -> uc.map(0x10_2000L, 0x2000, Unicorn.PROT_ALL));
            assertEquals(UC_ERR_MAP, e.code(), e.getMessage());
            MemorySegment host = a.allocate(0x1000, 0x1000);
            assertEquals(UC_ERR_MAP, assertThrows(UnicornException.class, () -> uc.mapPtr(0x10_0000L, host, Unicorn.PROT_ALL)).code());
            Unicorn.MmioHandler none = new Unicorn.MmioHandler() {
                @Override public long read(long offset, int size) { return 0; }
                @Override public void write(long offset, int size, long value) { }
            };
            assertEquals(UC_ERR_MAP, assertThrows(UnicornException.class, () -> uc.mapMmio(0x10_1000L, 0x1000, none)).code());
            // the original mapping is intact and its neighbour is free
            uc.map(0x10_3000L, 0x1000, Unicorn.PROT_ALL);
            uc.write(0x10_2fffL, new byte[] {1, 2});
            assertArrayEquals(new byte[] {1, 2}, uc.read(0x10_2fffL, 2));
        }
    }

    @Test
    void mapPtrSharesTheHostSegmentBothWays() {
        GuestAsm.Program p = Guest.asm("""
                    ldr x0, [x1]
                    str x2, [x1, #8]
                done:
                    nop
                """);
        try (Arena arena = Arena.ofShared(); Unicorn uc = Unicorn.open(Unicorn.CpuModel.A72)) {
            MemorySegment ram = HostMemory.allocate(Guest.RAM_SIZE, arena);
            uc.mapPtr(Guest.RAM, ram, Unicorn.PROT_ALL);
            MemorySegment.copy(p.image(), 0, ram, ValueLayout.JAVA_BYTE, 0, p.image().length);
            long data = 0x8000;
            ram.set(LE64, data, 0x1122_3344_5566_7788L);                  // host write ...
            uc.reg(Arm64Reg.x(1), Guest.RAM + data);
            uc.reg(Arm64Reg.x(2), 0xcafe_f00d_dead_beefL);
            Guest.runToDone(uc, p);
            assertEquals(0x1122_3344_5566_7788L, uc.reg(Arm64Reg.x(0)), "... is seen by the guest load");
            assertEquals(0xcafe_f00d_dead_beefL, ram.get(LE64, data + 8), "the guest store is seen in the segment");
            // and uc_mem_read/write go to the same bytes
            uc.write(Guest.RAM + data + 16, new byte[] {9});
            assertEquals(9, ram.get(ValueLayout.JAVA_BYTE, data + 16));
        }
    }
}
