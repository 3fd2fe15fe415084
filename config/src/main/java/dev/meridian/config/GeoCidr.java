package dev.meridian.config;

/**
 * One entry of the config's CIDR to location table. Either {@code region} (the location is that region's
 * jurisdiction and coordinates) or {@code country} with optional jurisdiction (default: the country's, see the
 * routing module's Jurisdictions) and coordinates.
 *
 * @param cidr      an IPv4 or IPv6 prefix, e.g. 10.1.0.0/16 or 2001:db8::/32
 * @param latitude  degrees, NaN when not given
 * @param longitude degrees, NaN when not given
 */
public record GeoCidr(String cidr, String region, String country, String jurisdiction, double latitude,
                      double longitude) {
}
