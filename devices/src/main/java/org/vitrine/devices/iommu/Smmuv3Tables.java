package org.vitrine.devices.iommu;

import org.vitrine.devices.regs.Field;
import org.vitrine.devices.iommu.IommuFault.Kind;

/**
 * The in-memory structures of an Arm SMMUv3 (IHI 0070) that Vitrine's {@link Smmuv3} reads: the
 * stream table (linear and 2-level), stream table entries, context descriptors, and stage-1
 * VMSAv8-64 translation tables with the 4 KiB granule. Pure logic over a reader of guest memory,
 * so each rule is unit-tested without a machine.
 *
 * <p>Modelled subset: stage 1 only (IDR0.S1P; no stage 2, no nesting), one context descriptor
 * per stream (S1CDMax 0, no substreams), the TTB0 half of the input range, AArch64 tables,
 * little-endian. Faults carry the SMMUv3 event ID as their code.
 */
final class Smmuv3Tables {
    private Smmuv3Tables() { }

    // ---- Event IDs (IHI 0070, 7.3) --------------------------------------------------------------
    static final int C_BAD_STREAMID = 0x02, F_STE_FETCH = 0x03, C_BAD_STE = 0x04, F_STREAM_DISABLED = 0x06,
            F_CD_FETCH = 0x09, C_BAD_CD = 0x0A, F_WALK_EABT = 0x0B, F_TRANSLATION = 0x10, F_ADDR_SIZE = 0x11,
            F_ACCESS = 0x12, F_PERMISSION = 0x13;

    // ---- Stream table ---------------------------------------------------------------------------
    static final Field STRTAB_ADDR = Field.bits("ADDR", 51, 6);
    static final Field CFG_LOG2SIZE = Field.bits("LOG2SIZE", 5, 0), CFG_SPLIT = Field.bits("SPLIT", 10, 6),
            CFG_FMT = Field.bits("FMT", 17, 16);
    static final Field L1STD_SPAN = Field.bits("SPAN", 4, 0), L1STD_L2PTR = Field.bits("L2Ptr", 51, 6);
    /** STE dword 0. */
    static final Field STE_V = Field.bit("V", 0), STE_CONFIG = Field.bits("Config", 3, 1), STE_S1FMT = Field.bits("S1Fmt", 5, 4),
            STE_S1CTXPTR = Field.bits("S1ContextPtr", 51, 6), STE_S1CDMAX = Field.bits("S1CDMax", 63, 59);
    static final int STE_BYTES = 64, CD_BYTES = 64;
    static final int CONFIG_ABORT = 0b000, CONFIG_BYPASS = 0b100, CONFIG_S1 = 0b101;

    // ---- Context descriptor dword 0 / 1 ---------------------------------------------------------
    static final Field CD_T0SZ = Field.bits("T0SZ", 5, 0), CD_TG0 = Field.bits("TG0", 7, 6), CD_EPD0 = Field.bit("EPD0", 14),
            CD_V = Field.bit("V", 31), CD_IPS = Field.bits("IPS", 34, 32), CD_AFFD = Field.bit("AFFD", 35),
            CD_AA64 = Field.bit("AA64", 41), CD_ASID = Field.bits("ASID", 63, 48);
    static final Field CD_TTB0 = Field.bits("TTB0", 51, 4);

    // ---- Translation table descriptors -------------------------------------------------------------
    static final long DESC_VALID = 1, DESC_TABLE = 2, DESC_AF = 1L << 10, DESC_AP_RDONLY = 1L << 7, DESC_APTABLE_RDONLY = 1L << 62;
    static final long OA_MASK = 0x0000_FFFF_FFFF_F000L;


    /** What a stream's STE (and CD) say, as the configuration cache keeps it. */
    record StreamConfig(int config, long ttb0, int t0sz, boolean epd0, boolean affd, int asid) {
        boolean bypass() {
            return config == CONFIG_BYPASS;
        }

        boolean abort() {
            return config == CONFIG_ABORT;
        }
    }


    /** Address of stream {@code sid}'s STE, per STRTAB_BASE and STRTAB_BASE_CFG. */
    static long steAddress(TableMemory m, long strtabBase, long strtabCfg, int sid) throws IommuFault {
        long base = strtabBase & STRTAB_ADDR.mask();
        int log2size = (int) CFG_LOG2SIZE.get(strtabCfg);
        if ((sid & 0xFFFF_FFFFL) >= 1L << Math.min(log2size, 32)) {
            throw IommuFault.of(Kind.CONFIG_ABSENT, C_BAD_STREAMID, -1, "StreamID %d is beyond the stream table (2^%d entries)", sid, log2size);
        }
        switch ((int) CFG_FMT.get(strtabCfg)) {
            case 0 -> {
                return base + (long) sid * STE_BYTES;
            }
            case 1 -> {
                int split = (int) CFG_SPLIT.get(strtabCfg);
                long l1Address = base + 8L * (sid >>> split);
                long l1 = m.fetch(l1Address, F_STE_FETCH, "level-1 stream table descriptor");
                int span = (int) L1STD_SPAN.get(l1);
                if (span == 0) throw IommuFault.of(Kind.CONFIG_ABSENT, C_BAD_STREAMID, l1Address, "StreamID %d: level-1 descriptor 0x%x has SPAN 0 (no level-2 table)", sid, l1Address);
                if (span > split + 1) throw IommuFault.of(Kind.CONFIG_INVALID, C_BAD_STREAMID, l1Address, "StreamID %d: SPAN %d exceeds SPLIT %d + 1", sid, span, split);
                int index = sid & ((1 << split) - 1);
                if (index >= 1 << (span - 1)) {
                    throw IommuFault.of(Kind.CONFIG_ABSENT, C_BAD_STREAMID, l1Address, "StreamID %d is beyond its level-2 table (SPAN %d)", sid, span);
                }
                return (l1 & L1STD_L2PTR.mask()) + (long) index * STE_BYTES;
            }
            default -> throw IommuFault.of(Kind.CONFIG_INVALID, C_BAD_STREAMID, -1, "STRTAB_BASE_CFG.FMT %d is reserved", CFG_FMT.get(strtabCfg));
        }
    }

    /** Reads and checks stream {@code sid}'s STE and, for stage-1 translation, its CD. */
    static StreamConfig streamConfig(TableMemory m, long strtabBase, long strtabCfg, int sid) throws IommuFault {
        long ste = steAddress(m, strtabBase, strtabCfg, sid);
        long w0 = m.fetch(ste, F_STE_FETCH, "STE");
        if (!STE_V.isSet(w0)) throw IommuFault.of(Kind.CONFIG_ABSENT, C_BAD_STE, ste, "STE of StreamID %d at 0x%x is not valid", sid, ste);
        int config = (int) STE_CONFIG.get(w0);
        if (config == CONFIG_ABORT || config == CONFIG_BYPASS) return new StreamConfig(config, 0, 0, false, false, 0);
        if (config != CONFIG_S1) {
            throw IommuFault.of(Kind.CONFIG_INVALID, C_BAD_STE, ste, "STE of StreamID %d: Config 0b%s not supported (stage 1 only)", sid, Integer.toBinaryString(config));
        }
        if (STE_S1CDMAX.get(w0) != 0) {
            throw IommuFault.of(Kind.CONFIG_INVALID, C_BAD_STE, ste, "STE of StreamID %d: S1CDMax %d, but SSIDSIZE is 0", sid, STE_S1CDMAX.get(w0));
        }
        long cd = w0 & STE_S1CTXPTR.mask();
        long c0 = m.fetch(cd, F_CD_FETCH, "context descriptor");
        long c1 = m.fetch(cd + 8, F_CD_FETCH, "context descriptor");
        if (!CD_V.isSet(c0)) throw IommuFault.of(Kind.CONFIG_ABSENT, C_BAD_CD, cd, "CD of StreamID %d at 0x%x is not valid", sid, cd);
        if (!CD_AA64.isSet(c0)) throw IommuFault.of(Kind.CONFIG_INVALID, C_BAD_CD, cd, "CD at 0x%x: AA64 0 (AArch32 tables not supported)", cd);
        if (CD_TG0.get(c0) != 0) throw IommuFault.of(Kind.CONFIG_INVALID, C_BAD_CD, cd, "CD at 0x%x: TG0 %d (only the 4 KiB granule is supported)", cd, CD_TG0.get(c0));
        int t0sz = (int) CD_T0SZ.get(c0);
        if (t0sz < 16 || t0sz > 39) throw IommuFault.of(Kind.CONFIG_INVALID, C_BAD_CD, cd, "CD at 0x%x: T0SZ %d outside 16..39", cd, t0sz);
        return new StreamConfig(config, c1 & CD_TTB0.mask() & ~0xFFFL, t0sz, CD_EPD0.isSet(c0), CD_AFFD.isSet(c0), (int) CD_ASID.get(c0));
    }

    /** Walks the stage-1 tables of {@code c} for {@code iova}. */
    static PageWalk walk(TableMemory m, StreamConfig c, long iova) throws IommuFault {
        int inputBits = 64 - c.t0sz();
        if (inputBits < 64 && (iova >>> inputBits) != 0) {
            throw IommuFault.of(Kind.TRANSLATION, F_TRANSLATION, -1, "IOVA 0x%x is outside the TTB0 range (T0SZ %d; TTB1 not modelled)", iova, c.t0sz());
        }
        if (c.epd0()) throw IommuFault.of(Kind.TRANSLATION, F_TRANSLATION, -1, "IOVA 0x%x: TTB0 walks disabled (EPD0)", iova);
        int levels = (inputBits - 12 + 8) / 9;
        int level = 4 - levels;
        long table = c.ttb0();
        boolean readOnly = false;
        PageWalk.Trail trail = new PageWalk.Trail();
        while (true) {
            int shift = 12 + 9 * (3 - level);
            long index = (iova >>> shift) & 0x1FF;
            long at = table + 8 * index;
            long d = m.fetch(at, F_WALK_EABT, "level-" + level + " table entry");
            trail.add(at, d);
            if ((d & DESC_VALID) == 0) throw IommuFault.of(Kind.TRANSLATION, F_TRANSLATION, at, "IOVA 0x%x: level-%d descriptor at 0x%x is invalid", iova, level, at);
            boolean tableOrPage = (d & DESC_TABLE) != 0;
            if (((d >>> 48) & 0xF) != 0) {
                throw IommuFault.of(Kind.ADDRESS_SIZE, F_ADDR_SIZE, at, "IOVA 0x%x: descriptor 0x%x at 0x%x has an address above 48 bits", iova, d, at);
            }
            if (level < 3 && tableOrPage) {
                readOnly |= (d & DESC_APTABLE_RDONLY) != 0;
                table = d & OA_MASK;
                level++;
                continue;
            }
            if (level == 3 && !tableOrPage || level == 0) {
                throw IommuFault.of(Kind.TRANSLATION, F_TRANSLATION, at, "IOVA 0x%x: reserved descriptor type at level %d (0x%x)", iova, level, at);
            }
            if ((d & DESC_AF) == 0 && !c.affd()) throw IommuFault.of(Kind.ACCESS_FLAG, F_ACCESS, at, "IOVA 0x%x: access flag clear in 0x%x", iova, at);
            long blockMask = (1L << shift) - 1;
            long out = (d & OA_MASK & ~blockMask) | (iova & blockMask & ~0xFFFL);
            readOnly |= (d & DESC_AP_RDONLY) != 0;
            return trail.finish(out, true, !readOnly, c.asid());
        }
    }
}
