package dev.meridian.routing.residency;

import java.util.Set;
import java.util.TreeSet;

/**
 * The endpoint jurisdictions one request may be served from. Interned per routing table: each distinct set has a
 * small id, so a cluster finds the eligible set it keeps for it with an array index, not a hash of the set.
 */
public final class JurisdictionSet {
    /** No residency rule applies: every endpoint may serve. */
    public static final JurisdictionSet ANY = new JurisdictionSet(0, null);
    /** No endpoint may serve: the request is refused. */
    public static final JurisdictionSet DENIED = new JurisdictionSet(-1, Set.of());

    private final int id;
    private final Set<String> jurisdictions;

    JurisdictionSet(int id, Set<String> jurisdictions) {
        this.id = id;
        this.jurisdictions = jurisdictions == null ? null : Set.copyOf(jurisdictions);
    }

    /** 0 for {@link #ANY}, -1 for {@link #DENIED}, 1.. for the sets a table's rules name. */
    public int id() {
        return id;
    }

    /** Whether an endpoint under {@code jurisdiction} (null: none declared) may serve. */
    public boolean allows(String jurisdiction) {
        return jurisdictions == null || jurisdiction != null && jurisdictions.contains(jurisdiction);
    }

    public boolean isRestricted() {
        return jurisdictions != null;
    }

    /** The allowed jurisdictions, sorted; empty for {@link #DENIED}; null for {@link #ANY}. */
    public Set<String> jurisdictions() {
        return jurisdictions == null ? null : new TreeSet<>(jurisdictions);
    }

    @Override
    public String toString() {
        return jurisdictions == null ? "any" : String.join("|", new TreeSet<>(jurisdictions));
    }
}
