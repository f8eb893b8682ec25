package org.vitrine.emulator.capstone;

/**
 * An AArch64 register as Capstone numbers it ({@code arm64_reg}) with its lower-case name
 * ({@code "x4"}, {@code "w3"}, {@code "sp"}, {@code "nzcv"}). Instances are cached per
 * {@link Disassembler}, so decoding allocates none.
 *
 * @param id   Capstone's {@code arm64_reg} value; 0 means "no register"
 * @param name Capstone's name for it, or {@code ""} for {@link #NONE}
 */
public record Register(int id, String name) {
    /** The absent register ({@code ARM64_REG_INVALID}), e.g. the index of {@code [x0, #8]}. */
    public static final Register NONE = new Register(0, "");

    public boolean isNone() {
        return id == 0;
    }

    @Override
    public String toString() {
        return isNone() ? "-" : name;
    }
}
