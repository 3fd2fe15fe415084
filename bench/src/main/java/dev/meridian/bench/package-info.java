/**
 * JMH benchmarks of Meridian's hot paths. Run from the shaded jar, never from {@code mvn test}:
 * {@code java -jar bench/target/benchmarks.jar -prof gc 'PickBenchmark|RouteMatchBenchmark'}.
 */
package dev.meridian.bench;
