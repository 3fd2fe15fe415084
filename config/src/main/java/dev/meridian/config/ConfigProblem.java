package dev.meridian.config;

/**
 * One thing wrong with a config, where it is and how to fix it. Lines and columns are 1-based.
 */
public record ConfigProblem(String file, int line, int column, String message, String hint) {

    /** {@code file:line:column: message (hint)}, the form compilers use, so editors can jump to it. */
    public String format() {
        String where = file + ":" + line + ":" + column + ": " + message;
        return hint == null || hint.isEmpty() ? where : where + " (" + hint + ")";
    }

    @Override
    public String toString() {
        return format();
    }
}
