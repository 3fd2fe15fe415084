package dev.meridian.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix such as {@code 10.1.0.0/16} or {@code 2001:db8::/32}. The address is kept in network byte
 * order, 4 or 16 bytes, with the bits past the prefix cleared.
 */
public record Cidr(byte[] address, int prefixLength) {
    public Cidr {
        address = address.clone();
    }

    @Override
    public byte[] address() {
        return address.clone();
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    /**
     * Parses {@code address/length}; a bare address is a prefix of its full length.
     *
     * @return the prefix, or null when the text is not one (an IP literal and a length in range)
     */
    public static Cidr parse(String text) {
        if (text == null) {
            return null;
        }
        int slash = text.indexOf('/');
        String literal = slash < 0 ? text : text.substring(0, slash);
        boolean v4 = Addresses.isIpv4(literal);
        if (!v4 && !Addresses.isIpv6(literal)) {
            return null;
        }
        byte[] bytes;
        try {
            // An IP literal, checked above: no name lookup happens.
            bytes = InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
        // Java reads an IPv4-mapped IPv6 literal as IPv4; keep the family the text was written in.
        if (!v4 && bytes.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            bytes = mapped;
        }
        int max = bytes.length * 8;
        int length = max;
        if (slash >= 0) {
            String digits = text.substring(slash + 1);
            if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)) {
                return null;
            }
            length = Integer.parseInt(digits);
            if (length > max) {
                return null;
            }
        }
        for (int bit = length; bit < max; bit++) {
            bytes[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        return new Cidr(bytes, length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && prefixLength == c.prefixLength && Arrays.equals(address, c.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(address).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
