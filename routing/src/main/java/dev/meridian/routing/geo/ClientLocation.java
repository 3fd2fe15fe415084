package dev.meridian.routing.geo;

import java.util.Objects;

/**
 * Where a client is, as far as routing cares: a country, the jurisdiction its data falls under, and coordinates.
 * Immutable; locations from the config's tables are built once and shared by every request that resolves to them.
 *
 * <p>Coordinates are also kept as a unit vector: the nearest of several places is the one with the largest dot
 * product, which needs no trigonometry per request.
 */
public final class ClientLocation {
    private static final double EARTH_RADIUS_KM = 6_371.0088;

    private final String country;
    private final String jurisdiction;
    private final double latitude;
    private final double longitude;
    private final double x;
    private final double y;
    private final double z;

    /**
     * @param country      ISO 3166-1 alpha-2 code, or null when unknown
     * @param jurisdiction e.g. EU, UK, US; null when unknown
     * @param latitude     degrees, NaN when unknown (then longitude is ignored)
     */
    public ClientLocation(String country, String jurisdiction, double latitude, double longitude) {
        this.country = country;
        this.jurisdiction = jurisdiction;
        this.latitude = latitude;
        this.longitude = longitude;
        if (Double.isNaN(latitude) || Double.isNaN(longitude)) {
            x = y = z = Double.NaN;
        } else {
            double lat = Math.toRadians(latitude);
            double lon = Math.toRadians(longitude);
            x = Math.cos(lat) * Math.cos(lon);
            y = Math.cos(lat) * Math.sin(lon);
            z = Math.sin(lat);
        }
    }

    public String country() {
        return country;
    }

    public String jurisdiction() {
        return jurisdiction;
    }

    public double latitude() {
        return latitude;
    }

    public double longitude() {
        return longitude;
    }

    public boolean hasCoordinates() {
        return !Double.isNaN(x);
    }

    /** The cosine of the central angle to a place given as a unit vector: larger is nearer. */
    public double dot(double ox, double oy, double oz) {
        return x * ox + y * oy + z * oz;
    }

    /** Great-circle distance in km to {@code latitude, longitude} (haversine); NaN without coordinates. */
    public double distanceKm(double otherLatitude, double otherLongitude) {
        return distanceKm(latitude, longitude, otherLatitude, otherLongitude);
    }

    /** Great-circle distance in km between two points given in degrees (haversine, stable for short distances). */
    public static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
                + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2)
                * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
    }

    /** Unit-vector components of {@code latitude, longitude}, for places that clients are compared against. */
    public static double[] unitVector(double latitude, double longitude) {
        double lat = Math.toRadians(latitude);
        double lon = Math.toRadians(longitude);
        return new double[] {Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientLocation l && Objects.equals(country, l.country)
                && Objects.equals(jurisdiction, l.jurisdiction) && Double.compare(latitude, l.latitude) == 0
                && Double.compare(longitude, l.longitude) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(country, jurisdiction, latitude, longitude);
    }

    @Override
    public String toString() {
        return (country == null ? "?" : country) + "/" + (jurisdiction == null ? "?" : jurisdiction)
                + (hasCoordinates() ? "@" + latitude + "," + longitude : "");
    }
}
