package org.vitrine.emulator.capstone;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

/**
 * The C structures of Capstone 4.0.2 ({@code capstone.h}, {@code arm64.h}) as FFM layouts for
 * x86_64 Linux, and the byte offsets the decoder reads. The layouts spell out C's padding so the
 * offsets match {@code offsetof} exactly (checked against a C program and pinned by a test).
 *
 * <p>Only the parts Vitrine reads are modelled: {@code cs_detail} is followed by a union of every
 * architecture's detail struct (1848 bytes in all); we map just its {@code cs_arm64} member.
 */
final class CsStructs {
    private CsStructs() { }

    /** {@code cs_arm64_op}: 56 bytes. The trailing {@code access} byte is easy to forget. */
    static final StructLayout ARM64_OP = MemoryLayout.structLayout(
            JAVA_INT.withName("vector_index"),
            JAVA_INT.withName("vas"),
            JAVA_INT.withName("vess"),
            MemoryLayout.structLayout(
                    JAVA_INT.withName("type"),
                    JAVA_INT.withName("value")).withName("shift"),
            JAVA_INT.withName("ext"),
            JAVA_INT.withName("type"),
            MemoryLayout.paddingLayout(4), // the union holds an int64/double: 8-aligned
            MemoryLayout.unionLayout(
                    JAVA_INT.withName("reg"),
                    JAVA_LONG.withName("imm"),
                    JAVA_DOUBLE.withName("fp"),
                    MemoryLayout.structLayout(
                            JAVA_INT.withName("base"),
                            JAVA_INT.withName("index"),
                            JAVA_INT.withName("disp"),
                            MemoryLayout.paddingLayout(4)).withName("mem")).withName("value"),
            JAVA_BYTE.withName("access"),
            MemoryLayout.paddingLayout(7)).withName("cs_arm64_op");

    /** {@code cs_arm64}: 456 bytes. */
    static final StructLayout ARM64 = MemoryLayout.structLayout(
            JAVA_INT.withName("cc"),
            JAVA_BYTE.withName("update_flags"),
            JAVA_BYTE.withName("writeback"),
            JAVA_BYTE.withName("op_count"),
            MemoryLayout.paddingLayout(1),
            MemoryLayout.sequenceLayout(8, ARM64_OP).withName("operands")).withName("cs_arm64");

    /** {@code cs_detail} up to and including its {@code arm64} union member. */
    static final StructLayout DETAIL = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(12, JAVA_SHORT).withName("regs_read"),
            JAVA_BYTE.withName("regs_read_count"),
            MemoryLayout.paddingLayout(1),
            MemoryLayout.sequenceLayout(20, JAVA_SHORT).withName("regs_write"),
            JAVA_BYTE.withName("regs_write_count"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("groups"),
            JAVA_BYTE.withName("groups_count"),
            MemoryLayout.paddingLayout(4), // the arch union is 8-aligned
            ARM64.withName("arm64")).withName("cs_detail");

    /** {@code cs_insn}: 240 bytes. */
    static final StructLayout INSN = MemoryLayout.structLayout(
            JAVA_INT.withName("id"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("address"),
            JAVA_SHORT.withName("size"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("bytes"),
            MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("mnemonic"),
            MemoryLayout.sequenceLayout(160, JAVA_BYTE).withName("op_str"),
            MemoryLayout.paddingLayout(6),
            ADDRESS.withName("detail")).withName("cs_insn");

    static final int MAX_REGS_READ = 12;
    static final int MAX_REGS_WRITE = 20;
    static final int MAX_GROUPS = 8;
    static final int MAX_OPERANDS = 8;
    static final int MNEMONIC_SIZE = 32;
    static final int OP_STR_SIZE = 160;

    static final long INSN_ID = INSN.byteOffset(groupElement("id"));
    static final long INSN_ADDRESS = INSN.byteOffset(groupElement("address"));
    static final long INSN_SIZE = INSN.byteOffset(groupElement("size"));
    static final long INSN_BYTES = INSN.byteOffset(groupElement("bytes"));
    static final long INSN_MNEMONIC = INSN.byteOffset(groupElement("mnemonic"));
    static final long INSN_OP_STR = INSN.byteOffset(groupElement("op_str"));
    static final long INSN_DETAIL = INSN.byteOffset(groupElement("detail"));

    static final long DETAIL_REGS_READ = DETAIL.byteOffset(groupElement("regs_read"));
    static final long DETAIL_REGS_READ_COUNT = DETAIL.byteOffset(groupElement("regs_read_count"));
    static final long DETAIL_REGS_WRITE = DETAIL.byteOffset(groupElement("regs_write"));
    static final long DETAIL_REGS_WRITE_COUNT = DETAIL.byteOffset(groupElement("regs_write_count"));
    static final long DETAIL_GROUPS = DETAIL.byteOffset(groupElement("groups"));
    static final long DETAIL_GROUPS_COUNT = DETAIL.byteOffset(groupElement("groups_count"));
    static final long DETAIL_ARM64 = DETAIL.byteOffset(groupElement("arm64"));

    static final long ARM64_CC = DETAIL_ARM64 + ARM64.byteOffset(groupElement("cc"));
    static final long ARM64_UPDATE_FLAGS = DETAIL_ARM64 + ARM64.byteOffset(groupElement("update_flags"));
    static final long ARM64_WRITEBACK = DETAIL_ARM64 + ARM64.byteOffset(groupElement("writeback"));
    static final long ARM64_OP_COUNT = DETAIL_ARM64 + ARM64.byteOffset(groupElement("op_count"));
    static final long ARM64_OPERANDS = DETAIL_ARM64 + ARM64.byteOffset(groupElement("operands"));

    static final long OP_VECTOR_INDEX = op(groupElement("vector_index"));
    static final long OP_VAS = op(groupElement("vas"));
    static final long OP_VESS = op(groupElement("vess"));
    static final long OP_SHIFT_TYPE = op(groupElement("shift"), groupElement("type"));
    static final long OP_SHIFT_VALUE = op(groupElement("shift"), groupElement("value"));
    static final long OP_EXT = op(groupElement("ext"));
    static final long OP_TYPE = op(groupElement("type"));
    static final long OP_REG = op(groupElement("value"), groupElement("reg"));
    static final long OP_IMM = op(groupElement("value"), groupElement("imm"));
    static final long OP_FP = op(groupElement("value"), groupElement("fp"));
    static final long OP_MEM_BASE = op(groupElement("value"), groupElement("mem"), groupElement("base"));
    static final long OP_MEM_INDEX = op(groupElement("value"), groupElement("mem"), groupElement("index"));
    static final long OP_MEM_DISP = op(groupElement("value"), groupElement("mem"), groupElement("disp"));
    static final long OP_ACCESS = op(groupElement("access"));

    private static long op(PathElement... path) {
        return ARM64_OP.byteOffset(path);
    }
}
