/** Meridian health. */
package dev.meridian.health;
