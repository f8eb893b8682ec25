package org.vitrine.cli.log;

import java.util.Locale;

import org.vitrine.emulator.spi.GuestLog.Kind;

import picocli.CommandLine;

/**
 * The names of the guest log's kinds on the command line and in the summary. {@code --log} takes
 * QEMU's {@code -d} names where they exist ({@code guest_errors}, {@code unimp}) and Vitrine's
 * spelling of them ({@code guest-errors}; {@code unimplemented}, the lines' tag); the summary
 * names the option as Vitrine spells it.
 */
public final class LogKinds implements CommandLine.ITypeConverter<Kind> {
    /** What --log accepts, as its help and its error message list it. */
    public static final String VALID = "guest-errors (QEMU's guest_errors), unimp (or unimplemented)";

    @Override
    public Kind convert(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "guest-errors", "guest_errors" -> Kind.GUEST_ERROR;
            case "unimp", "unimplemented" -> Kind.UNIMPLEMENTED;
            default -> throw new CommandLine.TypeConversionException("unknown log '" + name + "'; valid: " + VALID);
        };
    }

    /** The name that turns the kind on: {@code --log guest-errors}. */
    static String optionName(Kind kind) {
        return switch (kind) {
            case GUEST_ERROR -> "guest-errors";
            case UNIMPLEMENTED -> "unimp";
        };
    }

    /** The kind's heading in the summary: "guest errors: 12 (...)". */
    static String title(Kind kind) {
        return switch (kind) {
            case GUEST_ERROR -> "guest errors";
            case UNIMPLEMENTED -> "unimplemented";
        };
    }

    /** After a count: "1 guest error", "12 guest errors", "2 unimplemented". */
    static String counted(Kind kind, long n) {
        return switch (kind) {
            case GUEST_ERROR -> n == 1 ? "guest error" : "guest errors";
            case UNIMPLEMENTED -> "unimplemented";
        };
    }
}
