/** Meridian bench. */
package dev.meridian.bench;
