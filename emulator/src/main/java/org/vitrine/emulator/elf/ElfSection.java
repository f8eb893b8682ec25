package org.vitrine.emulator.elf;

/**
 * A section header ({@code Elf64_Shdr}) with its name resolved.
 *
 * @param name    from the section-name string table, {@code ""} if there is none
 * @param type    {@code sh_type}, e.g. {@link #SHT_SYMTAB}
 * @param flags   {@code sh_flags}, e.g. {@link #SHF_EXECINSTR}
 * @param addr    address in memory, if allocated
 * @param offset  where its bytes are in the file (meaningless for {@link #SHT_NOBITS})
 * @param size    size in bytes
 * @param link    {@code sh_link}: for a symbol table, the index of its string table
 * @param info    {@code sh_info}
 * @param entSize size of one entry for tables
 */
public record ElfSection(String name, int type, long flags, long addr, long offset, long size,
                         int link, int info, long entSize) {
    public static final int SHT_NULL = 0;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_NOBITS = 8;
    public static final long SHF_EXECINSTR = 4;

    /** Whether the section has bytes in the file. */
    public boolean hasFileData() {
        return type != SHT_NULL && type != SHT_NOBITS;
    }

    public boolean isExecutable() {
        return (flags & SHF_EXECINSTR) != 0;
    }
}
