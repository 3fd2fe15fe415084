/**
 * Request matching: host groups (exact, {@code *.suffix} wildcard, any) probed without allocation, then a radix
 * trie of paths per host group, then header conditions. {@link dev.meridian.routing.match.RequestMatcher} is the
 * entry point; everything else here is an implementation detail.
 */
package dev.meridian.routing.match;
