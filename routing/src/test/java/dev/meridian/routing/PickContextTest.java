package dev.meridian.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PickContextTest {

    @Test
    void eachSlotCountsFromZeroOnItsOwn() {
        PickContext ctx = new PickContext(new SplittableRandom(1));

        assertThat(ctx.nextTicket(0)).isZero();
        assertThat(ctx.nextTicket(0)).isEqualTo(1);
        assertThat(ctx.nextTicket(3)).isZero();
        assertThat(ctx.nextTicket(0)).isEqualTo(2);
    }

    @Test
    void growsForSlotsBeyondItsStorageAndKeepsTheCounts() {
        PickContext ctx = new PickContext(new SplittableRandom(1));
        ctx.nextTicket(2);

        assertThat(ctx.nextTicket(1_000)).isZero();
        assertThat(ctx.nextTicket(1_000)).isEqualTo(1);
        assertThat(ctx.nextTicket(2)).isEqualTo(1);
    }

    @Test
    void carriesItsRandomSource() {
        SplittableRandom random = new SplittableRandom(1);

        assertThat(new PickContext(random).random()).isSameAs(random);
    }
}
