package dev.meridian.proxy;

import dev.meridian.proxy.cli.MeridianCommand;

/** The {@code meridian} command. */
public final class Main {
    private static final String LEAK_DETECTION_LEVEL = "io.netty.leakDetection.level";

    private Main() {
    }

    public static void main(String[] args) {
        // Netty's default leak detection ("simple") records stack traces for sampled buffers: measured at about
        // 5 µs per proxied request here. Tests run it at paranoid; production runs without unless asked.
        if (System.getProperty(LEAK_DETECTION_LEVEL) == null) {
            System.setProperty(LEAK_DETECTION_LEVEL, "disabled");
        }
        System.exit(MeridianCommand.commandLine().execute(args));
    }
}
