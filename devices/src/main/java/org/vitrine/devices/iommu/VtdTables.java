package org.vitrine.devices.iommu;

import org.vitrine.devices.iommu.IommuFault.Kind;
import org.vitrine.devices.regs.Field;

/**
 * The in-memory structures of Intel VT-d (Intel VT for Directed I/O Architecture Specification)
 * in legacy (non-scalable) mode, as Vitrine's {@link VtdIommu} reads them: the root table (256
 * 128-bit entries, one per bus), context tables (256 per bus, one per devfn) and second-level
 * page tables (3 or 4 levels, 4 KiB pages, 2 MiB superpages). Pure logic over a reader of guest
 * memory; faults carry the VT-d fault reason as their code.
 */
final class VtdTables {
    private VtdTables() { }

    // ---- Fault reasons (VT-d spec, Appendix A, non-recoverable faults) ----------------------------
    static final int FR_ROOT_NOT_PRESENT = 0x1, FR_CONTEXT_NOT_PRESENT = 0x2, FR_CONTEXT_INVALID = 0x3, FR_ADDRESS_BEYOND_MGAW = 0x4,
            FR_WRITE = 0x5, FR_READ = 0x6, FR_PAGING_ENTRY_ACCESS = 0x7, FR_ROOT_ACCESS = 0x8, FR_CONTEXT_ACCESS = 0x9,
            FR_ROOT_RESERVED = 0xA, FR_CONTEXT_RESERVED = 0xB, FR_PAGING_RESERVED = 0xC;

    static final Field ROOT_P = Field.bit("P", 0), ROOT_CTP = Field.bits("CTP", 63, 12);
    static final Field CTX_P = Field.bit("P", 0), CTX_FPD = Field.bit("FPD", 1), CTX_TT = Field.bits("TT", 3, 2),
            CTX_SLPTPTR = Field.bits("SLPTPTR", 63, 12);
    static final Field CTX_AW = Field.bits("AW", 2, 0), CTX_DID = Field.bits("DID", 23, 8);
    static final int TT_TRANSLATE = 0, TT_TRANSLATE_DEVTLB = 1, TT_PASSTHROUGH = 2;
    static final long SL_R = 1, SL_W = 2, SL_PS = 1L << 7, SL_ADDR = 0x000F_FFFF_FFFF_F000L;
    /** Guest address widths (CAP.SAGAW): AW 1 = 39 bits, 3 levels; AW 2 = 48 bits, 4 levels. */
    static final int SAGAW = 0b00110;


    /** What a source ID's context entry says, as the context cache keeps it. */
    record Context(int tt, boolean faultsDisabled, long slptptr, int levels, int domainId) {
        boolean passthrough() {
            return tt == TT_PASSTHROUGH;
        }
    }


    /** Reads source ID {@code sid}'s root and context entries from the root table at {@code rootTable}. */
    static Context context(TableMemory m, long rootTable, int sid, boolean passthroughSupported) throws IommuFault {
        int bus = sid >>> 8 & 0xFF, devfn = sid & 0xFF;
        long rootAt = rootTable + 16L * bus;
        long root = m.fetch(rootAt, FR_ROOT_ACCESS, "root entry");
        if (!ROOT_P.isSet(root)) throw IommuFault.of(Kind.CONFIG_ABSENT, FR_ROOT_NOT_PRESENT, rootAt, "root entry of bus %d is not present", bus);
        if ((root & 0xFFEL) != 0 || m.fetch(rootAt + 8, FR_ROOT_ACCESS, "root entry") != 0) {
            throw IommuFault.of(Kind.CONFIG_INVALID, FR_ROOT_RESERVED, rootAt, "root entry of bus %d has reserved bits set", bus);
        }
        long ctxAt = (root & ROOT_CTP.mask()) + 16L * devfn;
        long lo = m.fetch(ctxAt, FR_CONTEXT_ACCESS, "context entry");
        long hi = m.fetch(ctxAt + 8, FR_CONTEXT_ACCESS, "context entry");
        if (!CTX_P.isSet(lo)) throw IommuFault.of(Kind.CONFIG_ABSENT, FR_CONTEXT_NOT_PRESENT, ctxAt, "context entry of %02x:%02x.%d is not present", bus, devfn >> 3, devfn & 7);
        if ((lo & 0xFF0L) != 0 || (hi & ~(CTX_AW.mask() | 0x78L | CTX_DID.mask())) != 0) {
            throw IommuFault.of(Kind.CONFIG_INVALID, FR_CONTEXT_RESERVED, ctxAt, "context entry at 0x%x has reserved bits set", ctxAt);
        }
        int tt = (int) CTX_TT.get(lo);
        int aw = (int) CTX_AW.get(hi);
        boolean ptOk = tt == TT_PASSTHROUGH && passthroughSupported;
        if (tt == 3 || tt == TT_PASSTHROUGH && !ptOk || tt == TT_TRANSLATE_DEVTLB || !ptOk && (SAGAW >> aw & 1) == 0) {
            throw IommuFault.of(Kind.CONFIG_INVALID, FR_CONTEXT_INVALID, ctxAt, "context entry at 0x%x: TT %d / AW %d not supported", ctxAt, tt, aw);
        }
        return new Context(tt, CTX_FPD.isSet(lo), lo & CTX_SLPTPTR.mask(), aw + 2, (int) CTX_DID.get(hi));
    }

    /** Walks the second-level tables of {@code c} for {@code iova}. */
    static PageWalk walk(TableMemory m, Context c, long iova) throws IommuFault {
        int width = 12 + 9 * c.levels();
        if (iova >>> width != 0) throw IommuFault.of(Kind.ADDRESS_SIZE, FR_ADDRESS_BEYOND_MGAW, -1, "IOVA 0x%x is beyond the %d-bit guest address width", iova, width);
        long table = c.slptptr();
        boolean r = true, w = true;
        PageWalk.Trail trail = new PageWalk.Trail();
        for (int level = c.levels(); ; level--) {
            int shift = 12 + 9 * (level - 1);
            long at = table + 8 * ((iova >>> shift) & 0x1FF);
            long e = m.fetch(at, FR_PAGING_ENTRY_ACCESS, "second-level entry");
            trail.add(at, e);
            r &= (e & SL_R) != 0;
            w &= (e & SL_W) != 0;
            if ((e & (SL_R | SL_W)) == 0) {
                // Not present: reported as the access the device tried (reason 5 or 6, decided by the caller).
                throw IommuFault.of(Kind.TRANSLATION, 0, at, "IOVA 0x%x: level-%d entry at 0x%x is not present", iova, level, at);
            }
            boolean leaf = level == 1 || (e & SL_PS) != 0;
            if ((e & SL_PS) != 0 && level != 2 && level != 1) {
                throw IommuFault.of(Kind.TRANSLATION, FR_PAGING_RESERVED, at, "IOVA 0x%x: superpage at level %d (only 2 MiB supported)", iova, level);
            }
            if (!leaf) {
                table = e & SL_ADDR;
                continue;
            }
            long mask = (1L << shift) - 1;
            return trail.finish((e & SL_ADDR & ~mask) | (iova & mask & ~0xFFFL), r, w, c.domainId());
        }
    }
}
