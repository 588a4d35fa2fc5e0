package dev.neurodex.cli;

import dev.neurodex.corpus.Sizes;
import picocli.CommandLine;

/** Reads a size option such as {@code 64M} or {@code 2G}; a bad one is a usage error naming the option. */
final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            return Sizes.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
