/** Meridian proxy-core. */
package dev.meridian.proxy;
