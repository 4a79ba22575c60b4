package io.hubspoke.bench;

import io.hubspoke.local.LocalRuntime;
import io.hubspoke.local.emulator.LocalLambdaEndpoint;
import io.hubspoke.local.emulator.SqsEventSourcePoller;
import java.util.Map;

/**
 * Function invocations and billed time (each invocation rounded up to the millisecond, as Lambda
 * bills it), from every way the local runtime invokes the functions: the hub directly and through
 * its dispatch queue, the spoke through the work queue and asynchronously (push and hybrid runs),
 * the collector through its rule and schedule.
 */
record FunctionUsage(
    long hub, long hubMs, long spoke, long spokeMs, long collector, long collectorMs) {
  static FunctionUsage of(LocalRuntime runtime) {
    Map<String, LocalRuntime.InvocationStats> s = runtime.invocationStats();
    LocalRuntime.InvocationStats none = new LocalRuntime.InvocationStats(0, 0);
    LocalRuntime.InvocationStats hub = s.getOrDefault("hubspoke-hub", none);
    LocalRuntime.InvocationStats collector = s.getOrDefault("hubspoke-collector", none);
    SqsEventSourcePoller.Stats polled = runtime.spokes().stats();
    // The hub is also invoked by its dispatch queue, one chunk batch per invocation.
    SqsEventSourcePoller.Stats dispatch = runtime.dispatchers().stats();
    LocalLambdaEndpoint.FunctionStats hosted =
        runtime.lambda().stats(LocalRuntime.SPOKE_FUNCTION_NAME);
    return new FunctionUsage(
        hub.invocations() + dispatch.invocations(),
        hub.billedMillis() + dispatch.billedMillis(),
        polled.invocations() + hosted.invocations(),
        polled.billedMillis() + hosted.billedMillis(),
        collector.invocations(),
        collector.billedMillis());
  }

  FunctionUsage minus(FunctionUsage o) {
    return new FunctionUsage(
        hub - o.hub,
        hubMs - o.hubMs,
        spoke - o.spoke,
        spokeMs - o.spokeMs,
        collector - o.collector,
        collectorMs - o.collectorMs);
  }

  /** With hub invocations made through the HTTP API, outside the runtime's own counts. */
  FunctionUsage plusHub(long invocations, long billedMillis) {
    return new FunctionUsage(
        hub + invocations, hubMs + billedMillis, spoke, spokeMs, collector, collectorMs);
  }

  long invocations() {
    return hub + spoke + collector;
  }
}
