package org.vitrine.emulator.elf;

/**
 * A program header ({@code Elf64_Phdr}). All addresses and sizes are unsigned 64-bit values.
 *
 * @param type     {@code p_type}, e.g. {@link #PT_LOAD}
 * @param flags    {@code p_flags}: {@link #PF_X}, {@link #PF_W}, {@link #PF_R}
 * @param offset   where the segment's bytes start in the file
 * @param vaddr    virtual address the program is linked at
 * @param paddr    physical address to load at
 * @param fileSize bytes taken from the file
 * @param memSize  bytes in memory; the part beyond {@code fileSize} is zeroed
 * @param align    {@code p_align}
 */
public record ElfSegment(int type, int flags, long offset, long vaddr, long paddr,
                         long fileSize, long memSize, long align) {
    public static final int PT_LOAD = 1;
    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;

    public boolean isLoad() {
        return type == PT_LOAD;
    }

    public boolean isExecutable() {
        return (flags & PF_X) != 0;
    }

    public boolean isWritable() {
        return (flags & PF_W) != 0;
    }

    public boolean isReadable() {
        return (flags & PF_R) != 0;
    }

    /** Whether {@code address} lies in {@code [vaddr, vaddr + memSize)}. */
    public boolean containsVirtual(long address) {
        return Long.compareUnsigned(address - vaddr, memSize) < 0;
    }

    @Override
    public String toString() {
        return String.format("segment type %d %s%s%s offset 0x%x vaddr 0x%x paddr 0x%x filesz 0x%x memsz 0x%x",
                type, isReadable() ? "R" : "-", isWritable() ? "W" : "-", isExecutable() ? "X" : "-",
                offset, vaddr, paddr, fileSize, memSize);
    }
}
