package dev.meridian.routing.geo;

import dev.meridian.config.Cidr;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a tiny MaxMind DB file (format 2.0, as published in the MaxMind DB File Format Specification), so tests can
 * load a real database through the GeoIP2 reader without shipping one: no test database is published on Maven
 * Central, and MaxMind's own test files live only in their Git repository.
 *
 * <p>Layout: a binary search tree over the 128 bits of an IPv6 address (24-bit records, IPv4 under {@code ::/96},
 * which is where readers look for IPv4 addresses), a 16-byte zero separator, the data section, then the metadata
 * marker and map. Networks must not overlap; that is all a test needs.
 */
final class MmdbWriter {
    private static final int EMPTY = -1;
    private static final byte[] METADATA_MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 'M', 'a', 'x', 'M', 'i',
        'n', 'd', '.', 'c', 'o', 'm'};

    private final String databaseType;
    /** Each node: left (bit 0) and right (bit 1): a node index, EMPTY, or -2 - n for the n-th network's data. */
    private final List<int[]> nodes = new ArrayList<>();
    private final List<Object> data = new ArrayList<>();

    MmdbWriter(String databaseType) {
        this.databaseType = databaseType;
        nodes.add(new int[] {EMPTY, EMPTY});
    }

    /** The record a City database has for a network: a country and a location. */
    static Map<String, Object> city(String isoCode, double latitude, double longitude) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("country", Map.of("iso_code", isoCode, "names", Map.of("en", isoCode)));
        m.put("location", Map.of("latitude", latitude, "longitude", longitude, "accuracy_radius", 100));
        return m;
    }

    /** The record a Country database has for a network. */
    static Map<String, Object> country(String isoCode) {
        return Map.of("country", Map.of("iso_code", isoCode));
    }

    MmdbWriter network(String cidr, Map<String, Object> record) {
        Cidr prefix = Cidr.parse(cidr);
        byte[] a = prefix.address();
        int length = prefix.prefixLength();
        if (a.length == 4) {
            byte[] v6 = new byte[16];
            System.arraycopy(a, 0, v6, 12, 4);
            a = v6;
            length += 96;
        }
        int dataRecord = -2 - data.size();
        data.add(record);
        int node = 0;
        for (int bit = 0; bit < length; bit++) {
            int b = (a[bit >>> 3] >>> (7 - (bit & 7))) & 1;
            int[] records = nodes.get(node);
            if (bit == length - 1) {
                if (records[b] != EMPTY) {
                    throw new IllegalArgumentException(cidr + " overlaps another network");
                }
                records[b] = dataRecord;
            } else {
                if (records[b] == EMPTY) {
                    records[b] = nodes.size();
                    nodes.add(new int[] {EMPTY, EMPTY});
                } else if (records[b] < EMPTY) {
                    throw new IllegalArgumentException(cidr + " overlaps another network");
                }
                node = records[b];
            }
        }
        return this;
    }

    byte[] toBytes() {
        ByteArrayOutputStream section = new ByteArrayOutputStream();
        int[] offsets = new int[data.size()];
        for (int i = 0; i < data.size(); i++) {
            offsets[i] = section.size();
            encode(data.get(i), section);
        }
        int nodeCount = nodes.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int[] records : nodes) {
            for (int r : records) {
                long value = r >= 0 ? r : r == EMPTY ? nodeCount : nodeCount + 16L + offsets[-2 - r];
                out.write((int) (value >>> 16));
                out.write((int) (value >>> 8));
                out.write((int) value);
            }
        }
        out.writeBytes(new byte[16]);
        out.writeBytes(section.toByteArray());
        out.writeBytes(METADATA_MARKER);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_count", new Uint32(nodeCount));
        metadata.put("record_size", new Uint16(24));
        metadata.put("ip_version", new Uint16(6));
        metadata.put("database_type", databaseType);
        metadata.put("languages", List.of("en"));
        metadata.put("binary_format_major_version", new Uint16(2));
        metadata.put("binary_format_minor_version", new Uint16(0));
        metadata.put("build_epoch", 1_700_000_000L);
        metadata.put("description", Map.of("en", "Meridian test database"));
        encode(metadata, out);
        return out.toByteArray();
    }

    Path writeTo(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    private record Uint16(int value) {
    }

    private record Uint32(long value) {
    }

    /** The data section's encoding: a control byte (type in the top 3 bits, size in the low 5), then the payload. */
    private static void encode(Object value, ByteArrayOutputStream out) {
        if (value instanceof String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            control(2, utf8.length, out);
            out.writeBytes(utf8);
        } else if (value instanceof Double d) {
            control(3, 8, out);
            unsigned(Double.doubleToLongBits(d), 8, out);
        } else if (value instanceof Uint16 u) {
            unsignedField(5, u.value(), out);
        } else if (value instanceof Uint32 u) {
            unsignedField(6, u.value(), out);
        } else if (value instanceof Integer i) {
            unsignedField(6, i, out);
        } else if (value instanceof Long l) {
            unsignedField(9, l, out);
        } else if (value instanceof Boolean b) {
            control(14, b ? 1 : 0, out);
        } else if (value instanceof Map<?, ?> m) {
            control(7, m.size(), out);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                encode(e.getKey(), out);
                encode(e.getValue(), out);
            }
        } else if (value instanceof List<?> list) {
            control(11, list.size(), out);
            for (Object o : list) {
                encode(o, out);
            }
        } else {
            throw new IllegalArgumentException("cannot encode " + value);
        }
    }

    /** An unsigned integer in as few bytes as it needs (the size is the byte count). */
    private static void unsignedField(int type, long value, ByteArrayOutputStream out) {
        int bytes = 0;
        for (long v = value; v != 0; v >>>= 8) {
            bytes++;
        }
        control(type, bytes, out);
        unsigned(value, bytes, out);
    }

    private static void unsigned(long value, int bytes, ByteArrayOutputStream out) {
        for (int i = bytes - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)));
        }
    }

    /** Types above 7 are "extended": type bits 0 and a following byte of type - 7. Sizes of 29 and up extend too. */
    private static void control(int type, int size, ByteArrayOutputStream out) {
        int sizeBits = size < 29 ? size : size < 285 ? 29 : size < 65_821 ? 30 : 31;
        out.write((type > 7 ? 0 : type << 5) | sizeBits);
        if (type > 7) {
            out.write(type - 7);
        }
        if (sizeBits == 29) {
            out.write(size - 29);
        } else if (sizeBits == 30) {
            unsigned(size - 285, 2, out);
        } else if (sizeBits == 31) {
            unsigned(size - 65_821, 3, out);
        }
    }
}
