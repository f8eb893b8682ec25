package org.vitrine.emulator.capstone;

import java.util.List;
import java.util.Set;

/**
 * One decoded AArch64 instruction with Capstone's details, copied out of native memory so it
 * outlives the {@link Disassembler} that produced it.
 *
 * <p>Capstone 4's groups are unreliable for AArch64 control flow ({@code bl} has no CALL group,
 * {@code eret} none at all); callers that classify branches should look at {@link #id()} or the
 * mnemonic as well.
 *
 * @param address      guest address the instruction was decoded at
 * @param size         length in bytes (always 4 on AArch64)
 * @param word         the instruction word (little-endian bytes read as an int)
 * @param mnemonic     e.g. {@code "ldr"}, {@code "b.ne"}
 * @param operandText  operands as Capstone prints them, e.g. {@code "w3, [x4, x5, lsl #2]"}
 * @param id           Capstone's {@code arm64_insn} number
 * @param groups       the instruction's groups
 * @param condition    condition code, {@link Condition#INVALID} when unconditional
 * @param updatesFlags whether it sets NZCV
 * @param writeback    whether it writes back its base register ({@code [sp, #-16]!})
 * @param operands     explicit operands in assembly order
 * @param regsRead     registers read implicitly (not among the operands), e.g. {@code nzcv} for {@code b.ne}
 * @param regsWritten  registers written implicitly, e.g. {@code x30} for {@code bl}
 */
public record Instruction(long address, int size, int word, String mnemonic, String operandText,
                          int id, Set<Group> groups, Condition condition, boolean updatesFlags,
                          boolean writeback, List<Operand> operands,
                          List<Register> regsRead, List<Register> regsWritten) {
    /** Capstone's {@code ARM64_INS_INVALID}: what {@link #id()} never is for a decoded instruction. */
    public static final int ID_INVALID = 0;

    /** {@code arm64_cc}, in Capstone's order. */
    public enum Condition {
        INVALID, EQ, NE, HS, LO, MI, PL, VS, VC, HI, LS, GE, LT, GT, LE, AL, NV;

        private static final Condition[] VALUES = values();

        static Condition of(int v) {
            return v >= 0 && v < VALUES.length ? VALUES[v] : INVALID;
        }
    }

    /** {@code arm64_insn_group}. */
    public enum Group {
        JUMP, CALL, RET, INT, PRIVILEGE, BRANCH_RELATIVE, CRYPTO, FPARMV8, NEON, CRC;

        /** The group for Capstone's number, or null for one this enum does not know. */
        static Group of(int v) {
            return switch (v) {
                case 1 -> JUMP;
                case 2 -> CALL;
                case 3 -> RET;
                case 4 -> INT;
                case 6 -> PRIVILEGE;
                case 7 -> BRANCH_RELATIVE;
                case 128 -> CRYPTO;
                case 129 -> FPARMV8;
                case 130 -> NEON;
                case 131 -> CRC;
                default -> null;
            };
        }
    }

    public Instruction {
        groups = Set.copyOf(groups);
        operands = List.copyOf(operands);
        regsRead = List.copyOf(regsRead);
        regsWritten = List.copyOf(regsWritten);
    }

    public boolean isIn(Group group) {
        return groups.contains(group);
    }

    /** The operand at {@code index}, in assembly order. */
    public Operand operand(int index) {
        return operands.get(index);
    }

    /** The instruction as an assembler would write it: {@code "ldr w3, [x4, x5, lsl #2]"}. */
    public String text() {
        return operandText.isEmpty() ? mnemonic : mnemonic + " " + operandText;
    }

    @Override
    public String toString() {
        return String.format("%016x: %08x  %s", address, word, text());
    }
}
