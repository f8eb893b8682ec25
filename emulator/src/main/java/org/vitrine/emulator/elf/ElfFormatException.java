package org.vitrine.emulator.elf;

/**
 * The file is not an ELF image Vitrine can load: wrong magic, class, byte order or machine, or a
 * header, table or segment that is truncated, out of range or inconsistent. The message names the
 * problem precisely enough to show to the user as is.
 */
public class ElfFormatException extends Exception {
    public ElfFormatException(String message) {
        super(message);
    }
}
