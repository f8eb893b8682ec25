package org.vitrine.devices.board;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.vitrine.emulator.fdt.FdtBuilder;
import org.vitrine.emulator.fdt.FdtNode;

/** The virt board's virtio-mmio slot map and the device-tree node of a slot, as QEMU makes them. */
class VirtioSlotsTest {
    @Test
    void deviceTreeNodeLikeQemu() {
        FdtBuilder fdt = new FdtBuilder();
        FdtNode node = VirtBoard.addVirtioNode(fdt.root(), 31);
        assertEquals("virtio_mmio@a003e00", node.name());
        assertArrayEquals("virtio,mmio\0".getBytes(), node.property("compatible"));
        assertArrayEquals(ByteBuffer.allocate(16).putLong(0x0A00_3E00L).putLong(0x200).array(), node.property("reg"));
        assertArrayEquals(ByteBuffer.allocate(12).putInt(0).putInt(47).putInt(1).array(), node.property("interrupts"));
        assertArrayEquals(new byte[0], node.property("dma-coherent"));
    }

    @Test
    void slotAddressesAndInterrupts() {
        assertEquals(0x0A00_0000L, VirtBoard.virtioSlotBase(0));
        assertEquals(48, VirtBoard.virtioSlotIntid(0));
        assertEquals(0x0A00_3E00L, VirtBoard.virtioSlotBase(31));
        assertEquals(79, VirtBoard.virtioSlotIntid(31));
        assertThrows(IllegalArgumentException.class, () -> VirtBoard.virtioSlotBase(32));
        assertThrows(IllegalArgumentException.class, () -> VirtBoard.virtioSlotIntid(-1));
    }
}
