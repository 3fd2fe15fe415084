package dev.meridian.bench;

import dev.meridian.config.AdminConfig;
import dev.meridian.config.Cidr;
import dev.meridian.config.GeoCidr;
import dev.meridian.config.GeoConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.config.ServerConfig;
import dev.meridian.routing.geo.ClientLocation;
import dev.meridian.routing.geo.GeoLocator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Client location lookups as the event loop does them: a CIDR table of random IPv4 /16-/28 and IPv6 /32-/64 prefixes
 * (half of the addresses looked up fall inside one), and the trusted header's shared forms.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class GeoLocateBenchmark {
    private static final int ADDRESSES = 1024;
    private static final byte[] TRUSTED = {(byte) 203, 0, 113, 7};

    @Param({"100", "10000"})
    int prefixes;

    private GeoLocator locator;
    private byte[][] v4;
    private byte[][] v6;
    private int i;

    @Setup
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<GeoCidr> cidrs = new ArrayList<>();
        List<byte[]> v4Bases = new ArrayList<>();
        List<byte[]> v6Bases = new ArrayList<>();
        for (int n = 0; n < prefixes; n++) {
            boolean ipv4 = n % 2 == 0;
            byte[] a = new byte[ipv4 ? 4 : 16];
            rnd.nextBytes(a);
            a[0] = (byte) (ipv4 ? 1 + rnd.nextInt(200) : 0x20);
            int length = ipv4 ? 16 + rnd.nextInt(13) : 32 + rnd.nextInt(33);
            (ipv4 ? v4Bases : v6Bases).add(a);
            cidrs.add(new GeoCidr(text(a) + "/" + length, "r" + rnd.nextInt(4), null, null, Double.NaN, Double.NaN));
        }
        List<RegionConfig> regions = List.of(new RegionConfig("r0", "EU", 50, 8),
                new RegionConfig("r1", "US", 39, -77), new RegionConfig("r2", "UK", 51.5, 0),
                new RegionConfig("r3", "JP", 35.7, 139.7));
        GeoConfig geo = new GeoConfig("x-client-location", List.of("203.0.113.0/24"), dedupe(cidrs), null);
        locator = GeoLocator.of(new MeridianConfig("<bench>", List.of(), AdminConfig.DEFAULT, ServerConfig.DEFAULT,
                regions, List.of(), List.of(), geo));
        v4 = addresses(rnd, v4Bases, 4);
        v6 = addresses(rnd, v6Bases, 16);
    }

    @Benchmark
    public ClientLocation cidrIpv4() {
        return locator.locateAddress(v4[i++ & (ADDRESSES - 1)]);
    }

    @Benchmark
    public ClientLocation cidrIpv6() {
        return locator.locateAddress(v6[i++ & (ADDRESSES - 1)]);
    }

    @Benchmark
    public ClientLocation headerRegion() {
        return locator.locate(TRUSTED, "r2");
    }

    @Benchmark
    public ClientLocation headerCountry() {
        return locator.locate(TRUSTED, "DE");
    }

    /** Half inside a prefix (its base with the low bits changed), half random. */
    private static byte[][] addresses(SplittableRandom rnd, List<byte[]> bases, int length) {
        byte[][] out = new byte[ADDRESSES][];
        for (int n = 0; n < ADDRESSES; n++) {
            byte[] a;
            if (n % 2 == 0) {
                a = bases.get(rnd.nextInt(bases.size())).clone();
                a[length - 1] = (byte) rnd.nextInt(256);
            } else {
                a = new byte[length];
                rnd.nextBytes(a);
            }
            out[n] = a;
        }
        return out;
    }

    private static List<GeoCidr> dedupe(List<GeoCidr> cidrs) {
        List<GeoCidr> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (GeoCidr c : cidrs) {
            if (seen.add(Cidr.parse(c.cidr()).toString())) {
                out.add(c);
            }
        }
        return out;
    }

    private static String text(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < 16; n += 2) {
            sb.append(n == 0 ? "" : ":").append(Integer.toHexString((a[n] & 0xff) << 8 | (a[n + 1] & 0xff)));
        }
        return sb.toString();
    }
}
