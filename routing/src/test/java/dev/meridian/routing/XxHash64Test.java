package dev.meridian.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Reference values from the C library (libxxhash 0.8.1, XXH64), covering every tail length and the 32-byte loop. */
class XxHash64Test {

    @Test
    void matchesTheReferenceImplementation() {
        assertThat(hash("", 0)).isEqualTo(0xEF46DB3751D8E999L);
        assertThat(hash("a", 0)).isEqualTo(0xD24EC4F1A98C6E5BL);
        assertThat(hash("abc", 0)).isEqualTo(0x44BC2CF5AD770999L);
        assertThat(hash("xxhash", 20141025)).isEqualTo(0xB559B98D844E0635L);
        assertThat(hash("0123456789abcdefghij", 3)).isEqualTo(0xCF55E1B270860D16L);
        assertThat(hash("Nobody inspects the spammish repetition", 0)).isEqualTo(0xFBCEA83C8A378BF1L);
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat(XxHash64.hash(all, 7)).isEqualTo(0xD233F62EC80E6EA8L);
        String latin1 = new String(all, StandardCharsets.ISO_8859_1);
        assertThat(XxHash64.hashLatin1("<" + latin1 + ">", 1, 257, 7)).isEqualTo(0xD233F62EC80E6EA8L);
    }

    @Property(tries = 300)
    void textHashesAsItsLatin1Bytes(@ForAll String s, @ForAll long seed) {
        String text = s.chars().mapToObj(c -> String.valueOf((char) (c & 0xFF)))
                .reduce("", String::concat);

        assertThat(XxHash64.hashLatin1(text, 0, text.length(), seed))
                .isEqualTo(XxHash64.hash(text.getBytes(StandardCharsets.ISO_8859_1), seed));
    }

    private static long hash(String ascii, long seed) {
        return XxHash64.hash(ascii.getBytes(StandardCharsets.US_ASCII), seed);
    }
}
