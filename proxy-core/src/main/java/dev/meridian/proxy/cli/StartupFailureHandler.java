package dev.meridian.proxy.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * What a command throws becomes one line, {@code meridian: <what happened, and a hint>}, on stderr and exit code 1:
 * a person who started the proxy on a busy port needs the port and what to do, not forty lines of Netty frames.
 * {@code -Dmeridian.stacktrace=true} prints the trace as well, for a failure that needs debugging.
 */
final class StartupFailureHandler implements IExecutionExceptionHandler {
    static final String STACKTRACE_PROPERTY = "meridian.stacktrace";
    static final int EXIT_FAILURE = 1;

    @Override
    public int handleExecutionException(Exception failure, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (Boolean.getBoolean(STACKTRACE_PROPERTY)) {
            failure.printStackTrace(err);
        }
        err.println("meridian: " + describe(failure));
        err.flush();
        return EXIT_FAILURE;
    }

    /** One line: a message with line breaks in it would pass for several failures. */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        if (worded(failure) && message != null && !message.isBlank()) {
            return oneLine(message);
        }
        if (failure instanceof InterruptedException) {
            return "interrupted while starting";
        }
        // Anything else was not expected here: name it, and say how to see where it came from.
        String what = failure.getClass().getSimpleName() + (message == null || message.isBlank() ? ""
                : ": " + oneLine(message));
        return "not started: " + what + " (-D" + STACKTRACE_PROPERTY + "=true, e.g. in MERIDIAN_JAVA_OPTS, prints"
                + " the stack trace)";
    }

    /**
     * How this code base refuses a start (a port taken, a log file it cannot open): the message is already written
     * for the person, hint included.
     */
    private static boolean worded(Throwable failure) {
        return failure instanceof IllegalStateException || failure instanceof IllegalArgumentException
                || failure instanceof UncheckedIOException;
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
