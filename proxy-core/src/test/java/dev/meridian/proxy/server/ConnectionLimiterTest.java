package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.proxy.server.ConnectionLimiter.Verdict;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {

    @Test
    void refusesOverEachLimitAndCountsNothingForARefusal() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(3, 2);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");

        assertThat(limiter.acquire(a)).isEqualTo(Verdict.ADMITTED);
        assertThat(limiter.acquire(a)).isEqualTo(Verdict.ADMITTED);
        assertThat(limiter.acquire(a)).isEqualTo(Verdict.OVER_PER_CLIENT);
        assertThat(limiter.acquire(b)).isEqualTo(Verdict.ADMITTED);
        assertThat(limiter.acquire(b)).isEqualTo(Verdict.OVER_TOTAL);
        assertThat(limiter.open()).isEqualTo(3);

        limiter.release(a);
        assertThat(limiter.acquire(b)).isEqualTo(Verdict.ADMITTED);
        limiter.release(a);
        limiter.release(b);
        limiter.release(b);
        assertThat(limiter.open()).isZero();
        assertThat(limiter.clientsTracked()).isZero();
    }

    @Test
    void manyLoopsOpeningAndClosingLeaveNoCountAndNoEntryBehind() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(50, 5);
        InetAddress[] clients = new InetAddress[8];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = InetAddress.getByName("10.1.0." + i);
        }
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long seed = t;
            done.add(threads.submit(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                List<InetAddress> mine = new ArrayList<>();
                go.await();
                for (int i = 0; i < 20_000; i++) {
                    if (mine.isEmpty() || random.nextBoolean()) {
                        InetAddress c = clients[random.nextInt(clients.length)];
                        if (limiter.acquire(c) == Verdict.ADMITTED) {
                            mine.add(c);
                        }
                    } else {
                        limiter.release(mine.remove(mine.size() - 1));
                    }
                    assertThat(limiter.open()).isLessThanOrEqualTo(50);
                }
                mine.forEach(limiter::release);
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        threads.shutdown();
        assertThat(limiter.open()).isZero();
        assertThat(limiter.clientsTracked()).isZero();
    }
}
