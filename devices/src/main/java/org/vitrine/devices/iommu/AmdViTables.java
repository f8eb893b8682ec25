package org.vitrine.devices.iommu;

import org.vitrine.devices.iommu.IommuFault.Kind;
import org.vitrine.devices.regs.Field;

/**
 * The in-memory structures of the AMD I/O Virtualization Technology (IOMMU) Specification (AMD
 * pub. 48882) that Vitrine's {@link AmdViIommu} reads: device table entries (256 bits, indexed
 * by DeviceID) and the host I/O page tables (1 to 6 levels, 4 KiB pages, larger pages through
 * NextLevel 0 above level 1, level skipping). Pure logic over a reader of guest memory; faults
 * carry the AMD-Vi event code.
 */
final class AmdViTables {
    private AmdViTables() { }

    static final int EVENT_ILLEGAL_DEV_TABLE_ENTRY = 0x1, EVENT_IO_PAGE_FAULT = 0x2, EVENT_DEV_TAB_HW_ERROR = 0x3,
            EVENT_PAGE_TAB_HW_ERROR = 0x4, EVENT_ILLEGAL_COMMAND = 0x5, EVENT_COMMAND_HW_ERROR = 0x6;

    static final Field DTE_V = Field.bit("V", 0), DTE_TV = Field.bit("TV", 1), DTE_MODE = Field.bits("Mode", 11, 9),
            DTE_ROOT = Field.bits("PageTableRootPtr", 51, 12), DTE_IR = Field.bit("IR", 61), DTE_IW = Field.bit("IW", 62);
    static final Field DTE_DOMAIN = Field.bits("DomainID", 15, 0);
    static final long PTE_PR = 1, PTE_IR = 1L << 61, PTE_IW = 1L << 62, PTE_ADDR = 0x000F_FFFF_FFFF_F000L;
    static final int DTE_BYTES = 32;


    /** What a DeviceID's DTE says, as the device table cache keeps it. */
    record Dte(boolean translate, int mode, long root, boolean ir, boolean iw, int domainId) { }


    /** Reads DeviceID {@code id}'s DTE from the device table at {@code base} with {@code entries} entries. */
    static Dte dte(TableMemory m, long base, long entries, int id) throws IommuFault {
        if (id >= entries) throw IommuFault.of(Kind.CONFIG_ABSENT, EVENT_ILLEGAL_DEV_TABLE_ENTRY, -1, "DeviceID 0x%x is beyond the %d-entry device table", id, entries);
        long at = base + (long) DTE_BYTES * id;
        long q0 = m.fetch(at, EVENT_DEV_TAB_HW_ERROR, "DTE"), q1 = m.fetch(at + 8, EVENT_DEV_TAB_HW_ERROR, "DTE");
        if (!DTE_V.isSet(q0) || !DTE_TV.isSet(q0)) return new Dte(false, 0, 0, true, true, (int) DTE_DOMAIN.get(q1));
        int mode = (int) DTE_MODE.get(q0);
        if (mode == 7) throw IommuFault.of(Kind.CONFIG_INVALID, EVENT_ILLEGAL_DEV_TABLE_ENTRY, at, "DTE of DeviceID 0x%x: Mode 7 is reserved", id);
        if ((q0 & 0x7CL) != 0) throw IommuFault.of(Kind.CONFIG_INVALID, EVENT_ILLEGAL_DEV_TABLE_ENTRY, at, "DTE of DeviceID 0x%x: reserved bits [6:2] set", id);
        return new Dte(true, mode, q0 & DTE_ROOT.mask(), DTE_IR.isSet(q0), DTE_IW.isSet(q0), (int) DTE_DOMAIN.get(q1));
    }

    /** Walks the I/O page tables of {@code d} for {@code iova} (Mode 0: untranslated, with the DTE's permissions). */
    static PageWalk walk(TableMemory m, Dte d, long iova) throws IommuFault {
        boolean r = d.ir(), w = d.iw();
        PageWalk.Trail trail = new PageWalk.Trail();
        if (d.mode() == 0) return trail.finish(iova & ~0xFFFL, r, w, d.domainId());
        int width = 12 + 9 * d.mode();
        if (width < 64 && iova >>> width != 0) {
            throw IommuFault.of(Kind.ADDRESS_SIZE, EVENT_IO_PAGE_FAULT, -1, "IOVA 0x%x is beyond the %d-level table (%d bits)", iova, d.mode(), width);
        }
        long table = d.root();
        int level = d.mode();
        while (true) {
            int shift = 12 + 9 * (level - 1);
            long at = table + 8 * ((iova >>> shift) & 0x1FF);
            long e = m.fetch(at, EVENT_PAGE_TAB_HW_ERROR, "level-" + level + " page table entry");
            trail.add(at, e);
            if ((e & PTE_PR) == 0) throw IommuFault.of(Kind.TRANSLATION, EVENT_IO_PAGE_FAULT, at, "IOVA 0x%x: level-%d entry at 0x%x is not present", iova, level, at);
            r &= (e & PTE_IR) != 0;
            w &= (e & PTE_IW) != 0;
            int next = (int) (e >>> 9 & 7);
            if (next == 0) {
                long mask = (1L << shift) - 1;
                return trail.finish((e & PTE_ADDR & ~mask) | (iova & mask & ~0xFFFL), r, w, d.domainId());
            }
            if (next == 7 || next >= level) {
                throw IommuFault.of(Kind.TRANSLATION, EVENT_IO_PAGE_FAULT, at, "IOVA 0x%x: level-%d entry at 0x%x has NextLevel %d", iova, level, at, next);
            }
            table = e & PTE_ADDR;
            level = next;
        }
    }
}
