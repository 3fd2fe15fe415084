package dev.meridian.routing.geo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.Cidr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The trie agrees with a linear scan for the longest matching prefix, IPv4, IPv6 and mapped alike. */
class CidrTablePropertyTest {

    @Property(tries = 200)
    void agreesWithALinearScan(@ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int prefixes) {
        SplittableRandom rnd = new SplittableRandom(seed);
        // A few base addresses per family, so prefixes nest and overlap rather than scatter.
        List<byte[]> bases = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            bases.add(random(rnd, 4));
            bases.add(random(rnd, 16));
            bases.add(mapped(random(rnd, 4)));
        }
        List<Cidr> entries = new ArrayList<>();
        Set<Cidr> canonical = new HashSet<>();
        CidrTable.Builder<Integer> builder = CidrTable.builder();
        for (int i = 0; i < prefixes; i++) {
            byte[] base = mutate(rnd, bases.get(rnd.nextInt(bases.size())));
            int max = base.length * 8;
            int length = rnd.nextInt(4) == 0 ? rnd.nextInt(max + 1) : max - rnd.nextInt(Math.min(max, 24) + 1);
            Cidr cidr = Cidr.parse(text(base) + "/" + length);
            if (canonical.add(canonical(cidr))) {
                entries.add(cidr);
                builder.add(cidr, entries.size() - 1);
            }
        }
        CidrTable<Integer> table = builder.build();
        for (int i = 0; i < 300; i++) {
            byte[] address = mutate(rnd, bases.get(rnd.nextInt(bases.size())));
            if (rnd.nextInt(8) == 0) {
                address = random(rnd, rnd.nextBoolean() ? 4 : 16);
            }
            assertThat(table.lookup(address)).as("lookup of %s", text(address))
                    .isEqualTo(linearScan(entries, address));
        }
    }

    /** The index of the longest entry containing the address, comparing in the 128-bit mapped space. */
    private static Integer linearScan(List<Cidr> entries, byte[] address) {
        byte[] a = address.length == 4 ? mapped(address) : address;
        Integer best = null;
        int bestLength = -1;
        for (int i = 0; i < entries.size(); i++) {
            Cidr c = canonical(entries.get(i));
            if (c.prefixLength() > bestLength && matches(c.address(), c.prefixLength(), a)) {
                best = i;
                bestLength = c.prefixLength();
            }
        }
        return best;
    }

    private static Cidr canonical(Cidr c) {
        return c.isIpv4() ? new Cidr(mapped(c.address()), c.prefixLength() + 96) : c;
    }

    private static boolean matches(byte[] prefix, int length, byte[] address) {
        for (int bit = 0; bit < length; bit++) {
            int mask = 0x80 >>> (bit & 7);
            if ((prefix[bit >>> 3] & mask) != (address[bit >>> 3] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] mapped(byte[] v4) {
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(v4, 0, m, 12, 4);
        return m;
    }

    private static byte[] random(SplittableRandom rnd, int length) {
        byte[] a = new byte[length];
        rnd.nextBytes(a);
        return a;
    }

    /** A copy with a few low-order bits flipped: close to the base, inside some of its prefixes. */
    private static byte[] mutate(SplittableRandom rnd, byte[] base) {
        byte[] a = base.clone();
        int flips = rnd.nextInt(3);
        for (int i = 0; i < flips; i++) {
            int bit = a.length * 8 - 1 - rnd.nextInt(Math.min(a.length * 8, 32));
            a[bit >>> 3] ^= (byte) (0x80 >>> (bit & 7));
        }
        return a;
    }

    private static String text(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            sb.append(i == 0 ? "" : ":").append(Integer.toHexString((a[i] & 0xff) << 8 | (a[i + 1] & 0xff)));
        }
        return sb.toString();
    }
}
