package dev.meridian.health.probe;

import dev.meridian.health.ActiveCheckListener;
import dev.meridian.routing.EndpointState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** Records every transition the checker reports, with when and what a test-chosen probe saw at that moment. */
final class RecordingListener implements ActiveCheckListener {
    /** One report. */
    record Report(String id, boolean healthy, String cause, long atNanos, Object observed) {
    }

    private final List<Report> reports = new CopyOnWriteArrayList<>();
    private volatile Supplier<Object> observe = () -> null;

    /** What to capture with each report, e.g. how many requests a backend had served by then. */
    RecordingListener observing(Supplier<Object> what) {
        observe = what;
        return this;
    }

    @Override
    public void checkedHealthy(EndpointState endpoint, String cause) {
        reports.add(new Report(endpoint.id(), true, cause, System.nanoTime(), observe.get()));
    }

    @Override
    public void checkedUnhealthy(EndpointState endpoint, String cause) {
        reports.add(new Report(endpoint.id(), false, cause, System.nanoTime(), observe.get()));
    }

    List<Report> reports(String id) {
        return reports.stream().filter(r -> r.id().equals(id)).toList();
    }

    Report last(String id) {
        List<Report> mine = reports(id);
        return mine.isEmpty() ? null : mine.get(mine.size() - 1);
    }

    long count(String id, boolean healthy) {
        return reports.stream().filter(r -> r.id().equals(id) && r.healthy() == healthy).count();
    }
}
