package dev.meridian.proxy.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** A file's SHA-256: tells a real edit from a touch or a rewrite with the same bytes. */
final class ContentHash {
    private ContentHash() {
    }

    /** The digest of the file's bytes, or null when it cannot be read (then it counts as changed). */
    static byte[] of(String file) {
        try {
            Path path = Path.of(file);
            return Files.isRegularFile(path) ? of(path) : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    static byte[] of(Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException | NoSuchAlgorithmException e) {
            return null;
        }
    }
}
