package org.vitrine.emulator.capstone;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.vitrine.emulator.capstone.CapstoneNative.unexpected;
import static org.vitrine.emulator.capstone.CsStructs.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * An AArch64 disassembler backed by Capstone 4 with instruction details on. Used by the
 * debugger's disassembly view and by instruction traces.
 *
 * <p>Decoding goes through {@code cs_disasm_iter} into one {@code cs_insn} allocated with {@code
 * cs_malloc} when the disassembler opens, so a decode allocates no native memory; the result is
 * copied into Java records. An instance is not thread-safe: use it from one thread at a time (it
 * may be handed between threads). Close it to free the native handle.
 *
 * <pre>{@code
 * try (Disassembler dis = Disassembler.open()) {
 *     Instruction insn = dis.decodeOne(0xd4000001, 0x40080000L);  // svc #0
 * }
 * }</pre>
 */
public final class Disassembler implements AutoCloseable {
    /** An instruction word as AArch64 stores it: little-endian, whatever the host's order. */
    private static final ValueLayout.OfInt WORD = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena = Arena.ofShared();
    private final long handle;
    private final MemorySegment insn;
    private final MemorySegment detail;
    /** In/out arguments of cs_disasm_iter: code pointer, remaining size, address. */
    private final MemorySegment codeCell;
    private final MemorySegment sizeCell;
    private final MemorySegment addressCell;
    private final Register[] registers = new Register[CapstoneNative.ARM64_REG_ENDING];
    /** Native copy of the bytes being decoded; grows by doubling (old copies go with the arena). */
    private MemorySegment buffer;
    private boolean closed;

    private Disassembler() {
        MemorySegment cell = arena.allocate(JAVA_LONG);
        int err = call(() -> (int) CapstoneNative.CS_OPEN.invokeExact(
                CapstoneNative.CS_ARCH_ARM64, CapstoneNative.CS_MODE_LITTLE_ENDIAN, cell));
        if (err != CapstoneNative.CS_ERR_OK) {
            arena.close();
            throw new CapstoneException("cs_open(CS_ARCH_ARM64) failed: " + CapstoneNative.strerror(err));
        }
        handle = cell.get(JAVA_LONG, 0);
        MemorySegment raw = MemorySegment.NULL;
        try {
            err = call(() -> (int) CapstoneNative.CS_OPTION.invokeExact(
                    handle, CapstoneNative.CS_OPT_DETAIL, CapstoneNative.CS_OPT_ON));
            if (err != CapstoneNative.CS_ERR_OK) {
                throw new CapstoneException("cs_option(CS_OPT_DETAIL) failed: " + CapstoneNative.strerror(err));
            }
            raw = call(() -> (MemorySegment) CapstoneNative.CS_MALLOC.invokeExact(handle));
            if (raw.equals(MemorySegment.NULL)) throw new CapstoneException("cs_malloc failed: out of memory");
            insn = CapstoneNative.sized(raw, INSN.byteSize());
            // cs_malloc allocates the detail buffer with the insn; it stays put for our lifetime.
            MemorySegment d = insn.get(ADDRESS, INSN_DETAIL);
            if (d.equals(MemorySegment.NULL)) throw new CapstoneException("cs_malloc returned no detail buffer");
            detail = CapstoneNative.sized(d, DETAIL.byteSize());
        } catch (RuntimeException e) {
            freeInsn(raw);
            closeHandle();
            arena.close();
            throw e;
        }
        codeCell = arena.allocate(ADDRESS);
        sizeCell = arena.allocate(JAVA_LONG);
        addressCell = arena.allocate(JAVA_LONG);
        buffer = arena.allocate(4096, 8);
    }

    /**
     * Opens an AArch64 little-endian disassembler with details on.
     *
     * @throws CapstoneException if libcapstone 4 is not installed (the message says what to install)
     */
    public static Disassembler open() {
        CapstoneNative.require();
        return new Disassembler();
    }

    /**
     * Decodes one instruction word.
     *
     * @return the instruction, or null if Capstone cannot decode the word (unallocated encodings,
     *         and extensions Capstone 4 lacks, such as the LSE atomics)
     */
    public Instruction decodeOne(int word, long address) {
        ensureOpen();
        buffer.set(WORD, 0, word);
        return start(4, address) && iterate() ? read() : null;
    }

    /**
     * Decodes up to {@code maxCount} consecutive instructions from {@code code}, the first at
     * {@code address}. Stops early at the end of the bytes or at the first word Capstone cannot
     * decode, so the list may be shorter than asked.
     */
    public List<Instruction> disassemble(byte[] code, long address, int maxCount) {
        Objects.requireNonNull(code, "code");
        if (maxCount < 0) throw new IllegalArgumentException("maxCount must not be negative: " + maxCount);
        ensureOpen();
        if (code.length > buffer.byteSize()) buffer = arena.allocate(Math.max(code.length, buffer.byteSize() * 2), 8);
        MemorySegment.copy(code, 0, buffer, JAVA_BYTE, 0, code.length);
        List<Instruction> out = new ArrayList<>(Math.min(maxCount, code.length / 4));
        if (!start(code.length, address)) return out;
        while (out.size() < maxCount && iterate()) out.add(read());
        return out;
    }

    /** The register Capstone numbers {@code id}, e.g. from {@link Operand#reg()}. */
    public Register register(int id) {
        if (id == 0) return Register.NONE;
        if (id > 0 && id < registers.length) {
            Register r = registers[id];
            if (r == null) registers[id] = r = new Register(id, regName(id));
            return r;
        }
        return new Register(id, regName(id));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            freeInsn(insn);
            closeHandle();
        } finally {
            arena.close();
        }
    }

    private boolean start(long size, long address) {
        if (size == 0) return false;
        codeCell.set(ADDRESS, 0, buffer);
        sizeCell.set(JAVA_LONG, 0, size);
        addressCell.set(JAVA_LONG, 0, address);
        return true;
    }

    private boolean iterate() {
        try {
            return (boolean) CapstoneNative.CS_DISASM_ITER.invokeExact(handle, codeCell, sizeCell, addressCell, insn);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Copies the current cs_insn and its details into an {@link Instruction}. */
    private Instruction read() {
        int groupCount = Math.min(Byte.toUnsignedInt(detail.get(JAVA_BYTE, DETAIL_GROUPS_COUNT)), MAX_GROUPS);
        EnumSet<Instruction.Group> groups = EnumSet.noneOf(Instruction.Group.class);
        for (int i = 0; i < groupCount; i++) {
            Instruction.Group g = Instruction.Group.of(Byte.toUnsignedInt(detail.get(JAVA_BYTE, DETAIL_GROUPS + i)));
            if (g != null) groups.add(g);
        }
        int opCount = Math.min(Byte.toUnsignedInt(detail.get(JAVA_BYTE, ARM64_OP_COUNT)), MAX_OPERANDS);
        Operand[] operands = new Operand[opCount];
        for (int i = 0; i < opCount; i++) operands[i] = readOperand(ARM64_OPERANDS + i * ARM64_OP.byteSize());
        return new Instruction(
                insn.get(JAVA_LONG, INSN_ADDRESS),
                Short.toUnsignedInt(insn.get(JAVA_SHORT, INSN_SIZE)),
                insn.get(WORD, INSN_BYTES),
                cString(INSN_MNEMONIC, MNEMONIC_SIZE),
                cString(INSN_OP_STR, OP_STR_SIZE),
                insn.get(JAVA_INT, INSN_ID),
                groups,
                Instruction.Condition.of(detail.get(JAVA_INT, ARM64_CC)),
                detail.get(JAVA_BYTE, ARM64_UPDATE_FLAGS) != 0,
                detail.get(JAVA_BYTE, ARM64_WRITEBACK) != 0,
                List.of(operands),
                registers(DETAIL_REGS_READ, DETAIL_REGS_READ_COUNT, MAX_REGS_READ),
                registers(DETAIL_REGS_WRITE, DETAIL_REGS_WRITE_COUNT, MAX_REGS_WRITE));
    }

    private Operand readOperand(long at) {
        Operand.Type type = Operand.Type.of(detail.get(JAVA_INT, at + OP_TYPE));
        Register reg = Register.NONE, base = Register.NONE, index = Register.NONE;
        long imm = 0;
        double fp = 0;
        int disp = 0;
        switch (type) { // the value is a C union: read only the member the type selects
            case REG -> reg = register(detail.get(JAVA_INT, at + OP_REG));
            case IMM, CIMM -> imm = detail.get(JAVA_LONG, at + OP_IMM);
            case FP -> fp = detail.get(JAVA_DOUBLE, at + OP_FP);
            case MEM -> {
                base = register(detail.get(JAVA_INT, at + OP_MEM_BASE));
                index = register(detail.get(JAVA_INT, at + OP_MEM_INDEX));
                disp = detail.get(JAVA_INT, at + OP_MEM_DISP);
            }
            case REG_MRS, REG_MSR, PSTATE, SYS, PREFETCH, BARRIER ->
                    imm = Integer.toUnsignedLong(detail.get(JAVA_INT, at + OP_REG));
            case INVALID -> { }
        }
        return new Operand(type, reg, imm, fp, base, index, disp,
                Operand.Shift.of(detail.get(JAVA_INT, at + OP_SHIFT_TYPE)),
                detail.get(JAVA_INT, at + OP_SHIFT_VALUE),
                Operand.Extend.of(detail.get(JAVA_INT, at + OP_EXT)),
                Byte.toUnsignedInt(detail.get(JAVA_BYTE, at + OP_ACCESS)),
                detail.get(JAVA_INT, at + OP_VECTOR_INDEX),
                detail.get(JAVA_INT, at + OP_VAS),
                detail.get(JAVA_INT, at + OP_VESS));
    }

    private List<Register> registers(long listAt, long countAt, int max) {
        int n = Math.min(Byte.toUnsignedInt(detail.get(JAVA_BYTE, countAt)), max);
        if (n == 0) return List.of();
        Register[] regs = new Register[n];
        for (int i = 0; i < n; i++) regs[i] = register(Short.toUnsignedInt(detail.get(JAVA_SHORT, listAt + 2L * i)));
        return List.of(regs);
    }

    /** A NUL-terminated string in a fixed-size char array of cs_insn (bounded even if unterminated). */
    private String cString(long offset, int size) {
        return insn.asSlice(offset, size).getString(0);
    }

    private String regName(int id) {
        String name = CapstoneNative.string(call(() -> (MemorySegment) CapstoneNative.CS_REG_NAME.invokeExact(handle, id)));
        return name == null ? "reg" + id : name;
    }

    private void closeHandle() {
        MemorySegment cell = arena.allocate(JAVA_LONG);
        cell.set(JAVA_LONG, 0, handle);
        int unused = call(() -> (int) CapstoneNative.CS_CLOSE.invokeExact(cell));
    }

    private void freeInsn(MemorySegment insnPtr) {
        if (insnPtr.equals(MemorySegment.NULL)) return;
        call(() -> {
            CapstoneNative.CS_FREE.invokeExact(insnPtr, 1L);
            return null;
        });
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("Disassembler is closed");
    }

    private interface NativeCall<T> {
        T run() throws Throwable;
    }

    private static <T> T call(NativeCall<T> c) {
        try {
            return c.run();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
