package org.vitrine.devices.regs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.vitrine.devices.regs.RegisterMap.Placement;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.spi.GuestLog.Kind;

/**
 * {@link RegisterMap}: stored and device-held registers, reset, field masks, the access types, the
 * policy for bad sizes, ranges, alignments, reserved offsets and access rights (each reported
 * exactly once, answered as RAZ/WI), narrow accesses under both placements and the three narrow
 * policies, 64-bit registers in halves, arrays, unimplemented fields, and declaration errors.
 */
class RegisterMapTest {
    static final Field ENABLE = Field.bit("ENABLE", 0);
    static final Field MODE = Field.bits("MODE", 7, 4);
    static final Field IRDA = Field.bit("IRDA", 1).unimplemented("IrDA not modelled");
    static final Field LEVEL = Field.bits("LEVEL", 10, 8).unimplemented("levels not modelled", 3);

    final List<String> messages = new ArrayList<>();
    final GuestLog log = new GuestLog((kind, source, text) -> messages.add(kind.tag() + " " + source + ": " + text));
    final GuestLog.Source source = log.source("dev");

    long errors() {
        return log.count(Kind.GUEST_ERROR);
    }

    long unimplemented() {
        return log.count(Kind.UNIMPLEMENTED);
    }

    /** A small device: every kind of register, 32-bit narrow accesses on the low bits. */
    final class Device {
        long pending = 0b1010;
        final List<Long> written = new ArrayList<>();
        final List<String> changes = new ArrayList<>();
        int reads;
        final RegisterMap regs = RegisterMap.builder(0x100, source)
                .narrowAccesses(NarrowAccess.ALLOWED, Placement.LOW_BITS)
                .register("CTRL", 0x00).fields(ENABLE, IRDA, MODE, LEVEL).reset(0x310)
                .register("ID", 0x04).ro().reset(0x1234_5678)
                .register("KICK", 0x08).wo().write((i, v) -> written.add(v))
                .register("STATUS", 0x0C).w1c().reset(0xF)
                .register("SET", 0x10).w1s()
                .register("PEND", 0x14).w1c().read(i -> pending).write((i, v) -> pending &= ~v)
                .register("COUNT", 0x18).ro().read(i -> ++reads)
                .register("LIMIT", 0x1C).onWrite((i, old, now) -> changes.add(old + "->" + now))
                .register("SECURE", 0x20).razWi()
                .register("TEST", 0x24).unimplemented("integration test register")
                .register("LEGACY", 0x28).invalid("legacy register, absent in version 2")
                .array("SLOT", 0x40, 4).reset(1, 2, 3, 4)
                .build();
    }

    @Test
    void storedRegistersReadTheirResetValueWriteAndResetAgain() {
        Device d = new Device();
        assertEquals(0x310, d.regs.read(0x00, 4));
        d.regs.write(0x00, 4, 0x51);
        assertEquals(0x51, d.regs.read(0x00, 4));
        assertEquals(0x1234_5678, d.regs.read(0x04, 4));
        assertEquals(3, d.regs.read(0x48, 4), "array element 2");
        d.regs.write(0x48, 4, 30);
        assertEquals(30, d.regs.register("SLOT").value(2));
        d.regs.reset();
        assertEquals(0x310, d.regs.read(0x00, 4));
        assertEquals(3, d.regs.read(0x48, 4));
        assertEquals(0, errors());
    }

    @Test
    void writesKeepOnlyTheDeclaredFields() {
        Device d = new Device();
        d.regs.write(0x00, 4, 0xFFFF_FFFFL);
        assertEquals(0x7F3, d.regs.read(0x00, 4), "ENABLE, IRDA, MODE, LEVEL; bits 2, 3 and 11.. are not fields");
        d.regs.write(0x1C, 4, 0xFFFF_FFFFL);
        assertEquals(0xFFFF_FFFFL, d.regs.read(0x1C, 4), "a register without fields takes every bit");
    }

    @Test
    void writeOneToClearAndToSet() {
        Device d = new Device();
        d.regs.write(0x0C, 4, 0b0101);
        assertEquals(0b1010, d.regs.read(0x0C, 4));
        d.regs.write(0x10, 4, 0b0100);
        d.regs.write(0x10, 4, 0b0001);
        assertEquals(0b0101, d.regs.read(0x10, 4));
        d.regs.write(0x14, 4, 0b0010);
        assertEquals(0b1000, d.pending, "the device's writer gets the bits to clear");
        assertEquals(0b1000, d.regs.read(0x14, 4));
    }

    @Test
    void deviceCallbacks() {
        Device d = new Device();
        d.regs.write(0x08, 4, 0xABCD);
        assertEquals(List.of(0xABCDL), d.written);
        assertEquals(1, d.regs.read(0x18, 4));
        assertEquals(2, d.regs.read(0x18, 4), "a reader runs at every read");
        d.regs.write(0x1C, 4, 7);
        d.regs.write(0x1C, 4, 9);
        assertEquals(List.of("0->7", "7->9"), d.changes);
        d.regs.register("LIMIT").set(5);
        assertEquals(5, d.regs.read(0x1C, 4), "the device sets a stored register");
        assertEquals(List.of("0->7", "7->9"), d.changes, "without a callback");
    }

    @Test
    void everyBadAccessIsReportedOnceAndAnsweredAsZeroOrIgnored() {
        Device d = new Device();
        Runnable[] bad = {
            () -> assertEquals(0, d.regs.read(0x100, 4)),        // outside the block
            () -> assertEquals(0, d.regs.read(0xFE, 4)),         // runs off the end
            () -> assertEquals(0, d.regs.read(-4, 4)),           // negative
            () -> assertEquals(0, d.regs.read(0x00, 3)),         // no such size
            () -> assertEquals(0, d.regs.read(0x02, 4)),         // misaligned
            () -> assertEquals(0, d.regs.read(0x30, 4)),         // reserved
            () -> d.regs.write(0x3C, 4, 1),                      // reserved
            () -> assertEquals(0, d.regs.read(0x00, 8)),         // 8 bytes of a 32-bit register
            () -> d.regs.write(0x04, 4, 1),                      // read-only
            () -> assertEquals(0, d.regs.read(0x08, 4)),         // write-only
            () -> assertEquals(0, d.regs.read(0x28, 4)),         // invalid
            () -> d.regs.write(0x28, 4, 1),                      // invalid
            () -> assertEquals(0, d.regs.read(0x01, 1)),         // narrow, but not at a word's start
        };
        for (int i = 0; i < bad.length; i++) {
            long before = errors();
            bad[i].run();
            assertEquals(before + 1, errors(), "bad access " + i + " reported once");
        }
        assertEquals(0, unimplemented());
        assertEquals(0x310, d.regs.read(0x00, 4), "nothing was written");
        assertEquals(0x1234_5678, d.regs.read(0x04, 4));
        assertTrue(d.written.isEmpty());
    }

    @Test
    void reportsNameTheRegister() {
        Device d = new Device();
        d.regs.write(0x04, 4, 0x99);
        d.regs.read(0x08, 4);
        d.regs.read(0x28, 4);
        d.regs.write(0x24, 4, 1);
        d.regs.read(0x48, 8);
        assertEquals(List.of(
                "guest-error dev: write of 0x99 to read-only ID ignored",
                "guest-error dev: read of write-only KICK",
                "guest-error dev: read of LEGACY (0x028) ignored: legacy register, absent in version 2",
                "unimplemented dev: write of TEST (0x024) ignored: integration test register not modelled",
                "guest-error dev: 8-byte read of 32-bit register SLOT2 ignored"), messages);
    }

    @Test
    void readAsZeroWriteIgnoredIsSilentAndUnimplementedIsReportedAsSuch() {
        Device d = new Device();
        d.regs.write(0x20, 4, 5);
        assertEquals(0, d.regs.read(0x20, 4));
        assertEquals(0, log.count());
        d.regs.write(0x24, 4, 5);
        assertEquals(0, d.regs.read(0x24, 4));
        assertEquals(2, unimplemented());
        assertEquals(0, errors());
    }

    @Test
    void unimplementedFieldsAreStoredAndReportedWhenTheyChangeToAValueNotModelled() {
        Device d = new Device();                       // CTRL resets to LEVEL 3 (modelled), IRDA 0
        d.regs.write(0x00, 4, 0x301);                  // ENABLE only
        assertEquals(0, unimplemented());
        d.regs.write(0x00, 4, 0x303);                  // IRDA 0 -> 1
        assertEquals(1, unimplemented());
        assertEquals(0x303, d.regs.read(0x00, 4), "the field is stored and reads back");
        d.regs.write(0x00, 4, 0x303);                  // unchanged
        assertEquals(1, unimplemented());
        d.regs.write(0x00, 4, 0x101);                  // IRDA back to 0 (modelled), LEVEL 3 -> 1
        assertEquals(2, unimplemented());
        d.regs.write(0x00, 4, 0x301);                  // LEVEL back to 3, the modelled value
        assertEquals(2, unimplemented());
        assertEquals("unimplemented dev: CTRL.IRDA set to 1: IrDA not modelled", messages.get(0));
        assertEquals("unimplemented dev: CTRL.LEVEL set to 1: levels not modelled", messages.get(1));
        assertEquals(0, errors());
    }

    @Test
    void lowBitsPlacementZeroExtendsNarrowWrites() {
        Device d = new Device();
        d.regs.write(0x1C, 4, 0x1234_5678);
        assertEquals(0x78, d.regs.read(0x1C, 1));
        assertEquals(0x5678, d.regs.read(0x1C, 2));
        d.regs.write(0x1C, 1, 0xAB);
        assertEquals(0xAB, d.regs.read(0x1C, 4), "a byte write replaces the register, as an APB bridge without strobes");
        assertEquals(0, errors());
    }

    /** A GIC-like block: narrow accesses act on the bytes they address; three narrow policies. */
    final class Lanes {
        long word = 0x1122_3344L;
        long enabled;
        final RegisterMap regs = RegisterMap.builder(0x40, source)
                .narrowAccesses(NarrowAccess.TOLERATED, Placement.ADDRESSED_BYTES)
                .register("PRIO", 0x00).narrow(NarrowAccess.ALLOWED).read(i -> word).write((i, v) -> word = v)
                .register("ISENABLER", 0x04).w1s().read(i -> enabled).write((i, v) -> enabled |= v)
                .register("CTLR", 0x08)
                .register("IAR", 0x0C).ro().narrow(NarrowAccess.REFUSED).read(i -> 0x3FF)
                .register64("BASE", 0x10).reset(0x8000_0000_0000_1000L)
                .array64("EVT", 0x20, 2)
                .build();
    }

    @Test
    void addressedBytesMergeIntoTheRegister() {
        Lanes l = new Lanes();
        assertEquals(0x22, l.regs.read(0x02, 1));
        assertEquals(0x1122, l.regs.read(0x02, 2));
        l.regs.write(0x01, 1, 0xAB);
        assertEquals(0x1122_AB44L, l.word, "only the addressed byte changes");
        assertEquals(0, errors(), "PRIO allows byte accesses");
        l.regs.write(0x06, 1, 0x81);
        assertEquals(0x0081_0000L, l.enabled, "write-1-to-set takes the 1s of the written byte only");
        assertEquals(1, errors(), "ISENABLER only tolerates them");
    }

    @Test
    void narrowPolicies() {
        Lanes l = new Lanes();
        l.regs.write(0x08, 4, 0xFFFF_0000L);
        l.regs.write(0x08, 2, 0x1234);
        assertEquals(1, errors(), "tolerated: reported");
        assertEquals(0xFFFF_1234L, l.regs.read(0x08, 4), "and performed");
        assertEquals(0, l.regs.read(0x0C, 2), "refused");
        assertEquals(2, errors());
        assertEquals(0x3FF, l.regs.read(0x0C, 4));
    }

    @Test
    void sixtyFourBitRegistersWholeOrInHalves() {
        Lanes l = new Lanes();
        assertEquals(0x8000_0000_0000_1000L, l.regs.read(0x10, 8));
        assertEquals(0x1000, l.regs.read(0x10, 4));
        assertEquals(0x8000_0000L, l.regs.read(0x14, 4));
        l.regs.write(0x10, 4, 0x2000);
        assertEquals(0x8000_0000_0000_2000L, l.regs.read(0x10, 8), "the high half is kept");
        l.regs.write(0x14, 4, 0x1);
        assertEquals(0x0000_0001_0000_2000L, l.regs.read(0x10, 8), "the low half is kept");
        l.regs.write(0x28, 8, 0xDEAD_BEEF_0000_0001L);
        assertEquals(0xDEAD_BEEF_0000_0001L, l.regs.register("EVT").value(1));
        assertEquals(0, l.regs.read(0x20, 8));
        assertEquals(0, errors());
        l.regs.read(0x14, 8);
        assertEquals(1, errors(), "an 8-byte access must be 8-byte aligned");
    }

    @Test
    void lookupByNameAndOffset() {
        Device d = new Device();
        Register slot = d.regs.register("SLOT");
        assertSame(slot, d.regs.registerAt(0x4C));
        assertNull(d.regs.registerAt(0x30));
        assertNull(d.regs.registerAt(0x100));
        assertEquals("SLOT3", slot.nameOf(3));
        assertEquals(4, slot.count());
        assertEquals(Access.RW, slot.access());
        assertSame(MODE, d.regs.register("CTRL").field("MODE"));
        assertThrows(IllegalArgumentException.class, () -> d.regs.register("NOPE"));
    }

    @Test
    void declarationErrorsAreCaughtWhenTheMapIsBuilt() {
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .register("A", 0x0).register("B", 0x0).build(), "overlap");
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .array("A", 0x0, 2).register("B", 0x4).build(), "an array covering a register");
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .register("A", 0x2).build(), "misaligned");
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .register64("A", 0x4).build(), "64-bit register at a 4-byte offset");
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .register("A", 0x10).build(), "outside");
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .register("A", 0x0).fields(MODE, Field.bit("X", 5)).build(), "fields overlap");
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .register("A", 0x0).fields(Field.bit("X", 40)).build(), "field beyond 32 bits");
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .array("A", 0x0, 2).reset(1, 2, 3).build(), "reset values");
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .register("A", 0x0).ro().write((i, v) -> { }).build(), "a writer on a read-only register");
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .register("A", 0x0).wo().read(i -> 0).build(), "a reader on a write-only register");
        assertThrows(IllegalArgumentException.class, () -> RegisterMap.builder(0x10, source)
                .register("A", 0x0).unimplemented("x").read(i -> 0).build(), "callbacks on an unimplemented register");
    }

    /**
     * The shape of an SMMUv3 command queue (SMMU_CMDQ_BASE, _PROD, _CONS): a 64-bit base with
     * fields written as two 32-bit halves, a producer index whose write wakes the device, and a
     * consumer index the device advances.
     */
    @Test
    void anIommuQueueCanBeDeclared() {
        Field ra = Field.bit("RA", 62);
        Field addr = Field.bits("ADDR", 51, 5);
        Field log2size = Field.bits("LOG2SIZE", 4, 0);
        List<Long> kicks = new ArrayList<>();
        RegisterMap[] holder = new RegisterMap[1];
        RegisterMap regs = RegisterMap.builder(0x100, source)
                .register64("CMDQ_BASE", 0x90).fields(ra, addr, log2size)
                .register("CMDQ_PROD", 0x98).fields(Field.bits("WR", 19, 0))
                        .onWrite((i, old, now) -> {
                            kicks.add(now);
                            holder[0].register("CMDQ_CONS").set(now); // the device consumed up to PROD
                        })
                .register("CMDQ_CONS", 0x9C).ro().fields(Field.bits("RD", 19, 0), Field.bits("ERR", 30, 24))
                .build();
        holder[0] = regs;
        regs.write(0x90, 4, 0x8765_4328L | 8);   // low half: ADDR bits, LOG2SIZE 8
        regs.write(0x94, 4, 0x4000_0012L);       // high half: RA and ADDR[51:32]
        long base = regs.register("CMDQ_BASE").value();
        assertEquals(1, ra.get(base));
        assertEquals(8, log2size.get(base));
        assertEquals(0x12_8765_4320L, addr.get(base) << 5);
        regs.write(0x98, 4, 3);
        assertEquals(List.of(3L), kicks);
        assertEquals(3, regs.read(0x9C, 4));
        regs.write(0x9C, 4, 0);
        assertEquals(3, regs.read(0x9C, 4), "the consumer index is the device's");
        assertEquals(1, errors());
    }
}
