package org.vitrine.emulator.elf;

/**
 * An entry of the symbol table ({@code Elf64_Sym}) with its name resolved.
 *
 * @param name         from the symbol string table
 * @param value        the address (for defined symbols in an executable)
 * @param size         size in bytes; 0 when unknown (e.g. assembler labels)
 * @param type         what it names
 * @param binding      visibility to the linker
 * @param sectionIndex {@code st_shndx}: the section it is defined in, 0 if undefined, or a
 *                     reserved index such as {@link #SHN_ABS}
 */
public record ElfSymbol(String name, long value, long size, Type type, Binding binding, int sectionIndex) {
    public static final int SHN_UNDEF = 0;
    public static final int SHN_ABS = 0xfff1;

    /** {@code ELF64_ST_TYPE}. */
    public enum Type {
        NOTYPE, OBJECT, FUNC, SECTION, FILE, COMMON, TLS, OTHER;

        static Type of(int v) {
            return v < OTHER.ordinal() ? values()[v] : OTHER;
        }
    }

    /** {@code ELF64_ST_BIND}. */
    public enum Binding {
        LOCAL, GLOBAL, WEAK, OTHER;

        static Binding of(int v) {
            return v < OTHER.ordinal() ? values()[v] : OTHER;
        }
    }

    public boolean isDefined() {
        return sectionIndex != SHN_UNDEF;
    }
}
