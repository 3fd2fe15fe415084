package dev.meridian.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Reads YAML into a validated {@link MeridianConfig}. Strict: unknown keys, wrong types, missing fields and broken
 * references are all reported at once, each with file, line, column and a hint. Pure and thread-safe; it does file
 * I/O, so never call {@link #load(Path)} on an event loop.
 *
 * <pre>{@code
 * ConfigResult result = ConfigLoader.load(Path.of("meridian.yaml"));
 * if (!result.ok()) {
 *     System.err.println(result.describeProblems());   // meridian.yaml:12:9: unknown key 'wieght' ...
 * }
 * }</pre>
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * Reads and validates a UTF-8 file. Problems name the file as {@code file.toString()}; a file that cannot be read
     * gives one problem at 1:1.
     */
    public static ConfigResult load(Path file) {
        Objects.requireNonNull(file, "file");
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            return ConfigResult.invalid(List.of(new ConfigProblem(file.toString(), 1, 1,
                    "cannot read config: " + reason(e), "check the path, its permissions and that it is UTF-8 text")));
        }
        Path directory = file.toAbsolutePath().getParent();
        return parse(file.toString(), yaml, directory == null ? Path.of("").toAbsolutePath() : directory);
    }

    /**
     * Validates YAML text. {@code sourceName} is used as the file name in problems and as
     * {@link MeridianConfig#source()}; relative file paths in it start from the working directory.
     */
    public static ConfigResult parse(String sourceName, String yaml) {
        return parse(sourceName, yaml, Path.of("").toAbsolutePath());
    }

    /**
     * Validates YAML text whose relative file paths (such as {@code geo.maxmind_database}) start from
     * {@code directory}: the config file's own directory, so a config and the files beside it move together.
     */
    static ConfigResult parse(String sourceName, String yaml, Path directory) {
        return parse(sourceName, yaml, directory, System::getenv);
    }

    /** As {@link #parse(String, String, Path)}, reading environment variables (admin tokens) through {@code env}. */
    static ConfigResult parse(String sourceName, String yaml, Path directory, UnaryOperator<String> env) {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(yaml, "yaml");
        Problems problems = new Problems(sourceName);
        YamlNode root = YamlTreeReader.read(yaml, problems);
        MeridianConfig config = null;
        if (root != null) {
            ConfigValidator validator = new ConfigValidator();
            config = new ConfigBinder(problems, validator, directory, env).bind(sourceName, root);
            validator.validate(problems, config);
        }
        return problems.isEmpty() ? ConfigResult.valid(config) : ConfigResult.invalid(problems.sorted());
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not valid UTF-8";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
