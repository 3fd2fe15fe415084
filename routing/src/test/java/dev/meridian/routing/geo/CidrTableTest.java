package dev.meridian.routing.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.config.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class CidrTableTest {
    static byte[] ip(String literal) {
        try {
            byte[] a = InetAddress.getByName(literal).getAddress();
            if (literal.contains(":") && a.length == 4) {
                // Java reads ::ffff:a.b.c.d as IPv4; keep the 16-byte form the test wrote.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(a, 0, mapped, 12, 4);
                return mapped;
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static CidrTable<String> table(String... prefixAndValue) {
        CidrTable.Builder<String> b = CidrTable.builder();
        for (int i = 0; i < prefixAndValue.length; i += 2) {
            b.add(Cidr.parse(prefixAndValue[i]), prefixAndValue[i + 1]);
        }
        return b.build();
    }

    @Test
    void longestIpv4PrefixWins() {
        CidrTable<String> t = table("10.0.0.0/8", "a", "10.1.0.0/16", "b", "10.1.2.0/24", "c", "10.1.2.3/32", "d");
        assertThat(t.lookup(ip("10.9.9.9"))).isEqualTo("a");
        assertThat(t.lookup(ip("10.1.9.9"))).isEqualTo("b");
        assertThat(t.lookup(ip("10.1.2.4"))).isEqualTo("c");
        assertThat(t.lookup(ip("10.1.2.3"))).isEqualTo("d");
        assertThat(t.lookup(ip("11.0.0.1"))).isNull();
        assertThat(t.size()).isEqualTo(4);
    }

    @Test
    void insertionOrderDoesNotMatter() {
        CidrTable<String> t = table("10.1.2.0/24", "c", "10.0.0.0/8", "a", "10.1.0.0/16", "b");
        assertThat(t.lookup(ip("10.1.2.200"))).isEqualTo("c");
        assertThat(t.lookup(ip("10.1.3.1"))).isEqualTo("b");
        assertThat(t.lookup(ip("10.200.0.1"))).isEqualTo("a");
    }

    @Test
    void lengthsThatSplitANibble() {
        // /13 and /14 end inside the same 4-bit step; /1 covers half the space, /31 two addresses.
        CidrTable<String> t = table("128.0.0.0/1", "top-half", "172.16.0.0/13", "13", "172.20.0.0/14", "14",
                "192.0.2.0/31", "31");
        assertThat(t.lookup(ip("172.16.0.1"))).isEqualTo("13");
        assertThat(t.lookup(ip("172.23.255.255"))).isEqualTo("14");
        assertThat(t.lookup(ip("172.20.0.1"))).isEqualTo("14");
        assertThat(t.lookup(ip("172.24.0.1"))).isEqualTo("top-half");
        assertThat(t.lookup(ip("192.0.2.1"))).isEqualTo("31");
        assertThat(t.lookup(ip("192.0.2.2"))).isEqualTo("top-half");
        assertThat(t.lookup(ip("127.255.255.255"))).isNull();
    }

    @Test
    void zeroLengthPrefixMatchesEverythingOfItsFamily() {
        CidrTable<String> t = table("0.0.0.0/0", "any4", "10.0.0.0/8", "ten");
        assertThat(t.lookup(ip("10.1.1.1"))).isEqualTo("ten");
        assertThat(t.lookup(ip("203.0.113.9"))).isEqualTo("any4");
        assertThat(t.lookup(ip("2001:db8::1"))).isNull();
    }

    @Test
    void longestIpv6PrefixWins() {
        CidrTable<String> t = table("::/0", "any6", "2001:db8::/32", "doc", "2001:db8:1::/48", "site",
                "2001:db8:1:2::/64", "lan", "2001:db8:1:2::7/128", "host", "2001:db8:8000::/33", "33");
        assertThat(t.lookup(ip("2001:db8:1:2::7"))).isEqualTo("host");
        assertThat(t.lookup(ip("2001:db8:1:2::8"))).isEqualTo("lan");
        assertThat(t.lookup(ip("2001:db8:1:3::1"))).isEqualTo("site");
        assertThat(t.lookup(ip("2001:db8:2::1"))).isEqualTo("doc");
        assertThat(t.lookup(ip("2001:db8:8000::1"))).isEqualTo("33");
        assertThat(t.lookup(ip("2001:db9::1"))).isEqualTo("any6");
    }

    @Test
    void ipv4MappedAddressesAreIpv4() {
        CidrTable<String> t = table("10.0.0.0/8", "ten", "::ffff:192.168.0.0/112", "mapped-written",
                "2001:db8::/32", "doc");
        assertThat(t.lookup(ip("::ffff:10.1.2.3"))).isEqualTo("ten");
        assertThat(t.lookup(ip("192.168.7.7"))).isEqualTo("mapped-written");
        assertThat(t.lookup(ip("::ffff:192.168.7.7"))).isEqualTo("mapped-written");
        assertThat(t.lookup(ip("::ffff:11.0.0.1"))).isNull();
        // Not mapped: an IPv4-compatible or a NAT64 address is another address.
        assertThat(t.lookup(ip("::10.1.2.3"))).isNull();
    }

    @Test
    void shortIpv6PrefixesCoverIpv4OnlyWhenTheyCoverTheMappedRange() {
        CidrTable<String> any6 = table("::/0", "any6", "::/8", "low");
        assertThat(any6.lookup(ip("10.0.0.1"))).isEqualTo("low");
        CidrTable<String> notMapped = table("2000::/3", "global");
        assertThat(notMapped.lookup(ip("10.0.0.1"))).isNull();
        // An IPv4 /0 is ::ffff:0:0/96: longer than any IPv6 prefix that covers it from outside.
        CidrTable<String> both = table("::/0", "any6", "0.0.0.0/0", "any4");
        assertThat(both.lookup(ip("10.0.0.1"))).isEqualTo("any4");
        assertThat(both.lookup(ip("2001:db8::1"))).isEqualTo("any6");
    }

    @Test
    void theSamePrefixTwiceIsRefused() {
        assertThatThrownBy(() -> table("10.0.0.0/8", "a", "10.0.0.0/8", "b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.0/8");
        // Two spellings of one prefix.
        assertThatThrownBy(() -> table("0.0.0.0/0", "a", "::ffff:0.0.0.0/96", "b"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherAddressLengthsAndEmptyTablesMatchNothing() {
        CidrTable<String> t = table("0.0.0.0/0", "any4", "::/0", "any6");
        assertThat(t.lookup(new byte[5])).isNull();
        assertThat(t.lookup(new byte[0])).isNull();
        assertThat(CidrTable.<String>empty().lookup(ip("10.0.0.1"))).isNull();
        assertThat(CidrTable.<String>empty().isEmpty()).isTrue();
    }

    @Test
    void siblingsAndNestedPrefixesInOneNode() {
        // All four end in the same step of the trie: expansion must keep the longer one in each slot.
        CidrTable<String> t = table("10.0.0.0/9", "a", "10.0.0.0/10", "b", "10.64.0.0/10", "c", "10.0.0.0/12", "d");
        assertThat(t.lookup(ip("10.0.0.1"))).isEqualTo("d");
        assertThat(t.lookup(ip("10.16.0.1"))).isEqualTo("b");
        assertThat(t.lookup(ip("10.64.0.1"))).isEqualTo("c");
        assertThat(t.lookup(ip("10.128.0.1"))).isNull();
    }
}
