package io.hubspoke.bench;

import java.util.List;

/**
 * Sizes of every scenario. {@link #defaults()} are the issue's; tests run them small.
 *
 * @param makespanBatchSize 1 so that the concurrency is the number of tasks in flight, which the
 *     ideal ⌈N/C⌉ × sleep assumes (with 10, each invocation runs 10 tasks in parallel)
 * @param costConcurrency 2: the engines here serve requests one after the other, so a spoke's
 *     duration grows with concurrency (queueing); the lowest concurrency gives the durations
 *     closest to the services', which is what Lambda would bill
 * @param initSettleSeconds how long {@code init} may wait for the machine's load to settle (a build
 *     or the previous scenario) before it measures cold starts
 */
public record BenchConfig(
    int makespanTasks,
    int makespanSleepMs,
    int makespanConcurrency,
    int makespanBatchSize,
    int dispatchItems,
    int costTasks,
    int costConcurrency,
    int initRepeats,
    int throughputTasks,
    List<Integer> throughputConcurrency,
    int bigTasks,
    int bigItemsPerRun,
    int bigConcurrency,
    int warmupTasks,
    int initSettleSeconds,
    int modesTasks,
    int modesSleepMs,
    int modesConcurrency,
    int modesOutageSeconds) {

  public static BenchConfig defaults() {
    return new BenchConfig(
        2000,
        200,
        32,
        1,
        10_000,
        1000,
        2,
        3,
        2000,
        List.of(2, 4, 16, 64),
        100_000,
        10_000,
        16,
        100,
        90,
        2000,
        200,
        30,
        30);
  }

  /** Every scenario at a size that takes seconds: for the test that keeps this code alive. */
  public static BenchConfig small() {
    return new BenchConfig(
        40, 50, 8, 1, 300, 60, 2, 1, 60, List.of(2, 4), 600, 300, 4, 10, 0, 60, 50, 20, 2);
  }
}
