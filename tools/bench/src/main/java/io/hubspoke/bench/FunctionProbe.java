package io.hubspoke.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Runs a handler in a fresh JVM, as Lambda would, with only the function's shaded jar and this
 * class on the class path: it must use nothing but the JDK and the Lambda interfaces. Prints one
 * JSON line per measurement on standard output.
 *
 * <ul>
 *   <li>{@code init <handlerClass> <eventFile> <timeoutMs>}: load the class, construct it with its
 *       no-argument constructor (the environment variables configure it), invoke it once (a stream
 *       handler with the file as its input; the spoke with an SQS batch of the file's lines).
 *   <li>{@code dispatch <eventFile> <runs> <timeoutMs>}: construct the hub once and invoke it
 *       {@code runs} times with the same run request, sampling the heap during each dispatch.
 * </ul>
 */
public final class FunctionProbe {
  /** The class files the child JVM needs, copied out of this module for its class path. */
  static final List<String> CLASS_FILES =
      List.of(
          "FunctionProbe",
          "FunctionProbe$ProbeContext",
          "FunctionProbe$ProbeLogger",
          "FunctionProbe$SqsInvoker",
          "FunctionProbe$HeapWatch");

  private FunctionProbe() {}

  public static void main(String[] args) throws Exception {
    long mainAt = System.currentTimeMillis();
    switch (args[0]) {
      case "init" -> init(args[1], Path.of(args[2]), Integer.parseInt(args[3]), mainAt);
      case "dispatch" ->
          dispatch(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    System.out.flush();
    System.exit(0);
  }

  private static void init(String handlerClass, Path eventFile, int timeoutMs, long mainAt)
      throws Exception {
    long t0 = System.nanoTime();
    Class<?> type = Class.forName(handlerClass);
    long t1 = System.nanoTime();
    Object handler = type.getDeclaredConstructor().newInstance();
    long t2 = System.nanoTime();
    byte[] event = Files.readAllBytes(eventFile);
    String response = invoke(handler, event, new ProbeContext(handlerClass, timeoutMs));
    long t3 = System.nanoTime();
    long jvmToMain = mainAt - ManagementFactory.getRuntimeMXBean().getStartTime();
    System.out.println(
        String.format(
            Locale.ROOT,
            "{\"loadMs\":%.1f,\"constructMs\":%.1f,\"invokeMs\":%.1f,\"jvmToMainMs\":%d,\"response\":%s}",
            (t1 - t0) / 1e6,
            (t2 - t1) / 1e6,
            (t3 - t2) / 1e6,
            jvmToMain,
            quote(response)));
  }

  /**
   * The spoke's SQS path with the event deserialized (its Lambda entry is a stream handler that
   * takes push events as well); checked here, since only the spoke's jar holds the SQS classes.
   */
  static final String BATCH_METHOD = "handleBatch";

  static boolean takesSqsBatches(Object handler) {
    for (java.lang.reflect.Method method : handler.getClass().getMethods()) {
      if (method.getName().equals(BATCH_METHOD)) {
        return true;
      }
    }
    return !(handler instanceof RequestStreamHandler);
  }

  private static String invoke(Object handler, byte[] event, Context context) throws Exception {
    if (takesSqsBatches(handler)) {
      return SqsInvoker.invoke(handler, new String(event, StandardCharsets.UTF_8), context);
    }
    if (handler instanceof RequestStreamHandler stream) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      stream.handleRequest(new ByteArrayInputStream(event), out, context);
      return out.toString(StandardCharsets.UTF_8);
    }
    return SqsInvoker.invoke(handler, new String(event, StandardCharsets.UTF_8), context);
  }

  private static void dispatch(Path eventFile, int runs, int timeoutMs) throws Exception {
    HeapWatch watch = new HeapWatch();
    Thread sampler = new Thread(watch, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    Object hub = Class.forName("io.hubspoke.hub.HubHandler").getDeclaredConstructor().newInstance();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int run = 0; run < runs; run++) {
      byte[] event = Files.readAllBytes(eventFile);
      threads.resetPeakThreadCount();
      watch.reset();
      long t0 = System.nanoTime();
      String response = invoke(hub, event, new ProbeContext("hubspoke-hub", timeoutMs));
      long t1 = System.nanoTime();
      watch.sampleNow();
      System.out.println(
          String.format(
              Locale.ROOT,
              "{\"run\":%d,\"dispatchMs\":%.1f,\"peakHeapUsedMb\":%.1f,\"peakLiveHeapMb\":%.1f,\"retainedHeapMb\":%.1f,\"peakThreads\":%d,\"response\":%s}",
              run,
              (t1 - t0) / 1e6,
              watch.peak() / 1048576.0,
              watch.peakLive() / 1048576.0,
              watch.retained() / 1048576.0,
              threads.getPeakThreadCount(),
              quote(response)));
      System.out.flush();
    }
    watch.stop();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /**
   * Heap used, sampled every millisecond: the peak of a dispatch ({@code used}, garbage included,
   * so it depends on when the collector runs), and the peak of the heap left after a collection
   * (the live data: what a dispatch keeps).
   */
  static final class HeapWatch implements Runnable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<MemoryPoolMXBean> pools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null)
            .toList();
    private volatile boolean running = true;
    private long peak;
    private long last;
    private long peakLive;

    @Override
    public void run() {
      while (running) {
        sampleNow();
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    synchronized void sampleNow() {
      last = memory.getHeapMemoryUsage().getUsed();
      peak = Math.max(peak, last);
      long live = 0;
      for (MemoryPoolMXBean pool : pools) {
        live += pool.getCollectionUsage().getUsed();
      }
      peakLive = Math.max(peakLive, live);
    }

    synchronized void reset() {
      peak = 0;
      peakLive = 0;
      sampleNow();
    }

    synchronized long peak() {
      return peak;
    }

    synchronized long peakLive() {
      return peakLive;
    }

    /** Heap used after a full collection: what the hub retains between invocations. */
    long retained() {
      System.gc();
      return memory.getHeapMemoryUsage().getUsed();
    }

    void stop() {
      running = false;
    }
  }

  /**
   * Only loaded for the spoke, whose jar holds the SQS event classes. Each line of the event file
   * is one message's body (a message body the hub writes is one line of JSON), so one invocation
   * can take a batch, as the event source mapping delivers them.
   */
  static final class SqsInvoker {
    @SuppressWarnings("unchecked")
    static String invoke(Object handler, String bodies, Context context) throws Exception {
      List<SQSEvent.SQSMessage> messages = new java.util.ArrayList<>();
      for (String body : bodies.split("\n")) {
        if (!body.isBlank()) {
          messages.add(message(body));
        }
      }
      SQSEvent event = new SQSEvent();
      event.setRecords(messages);
      SQSBatchResponse response =
          handler instanceof RequestHandler<?, ?> typed
              ? ((RequestHandler<SQSEvent, SQSBatchResponse>) typed).handleRequest(event, context)
              : (SQSBatchResponse)
                  handler
                      .getClass()
                      .getMethod(BATCH_METHOD, SQSEvent.class, Context.class)
                      .invoke(handler, event, context);
      return "{\"batchItemFailures\":" + response.getBatchItemFailures().size() + "}";
    }

    private static SQSEvent.SQSMessage message(String body) {
      SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
      message.setMessageId(UUID.randomUUID().toString());
      message.setReceiptHandle(UUID.randomUUID().toString());
      message.setBody(body);
      message.setEventSource("aws:sqs");
      message.setAwsRegion("us-east-1");
      message.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:hubspoke-work");
      message.setAttributes(
          Map.of(
              "ApproximateReceiveCount",
              "1",
              "SentTimestamp",
              Long.toString(System.currentTimeMillis()),
              "SenderId",
              "000000000000",
              "ApproximateFirstReceiveTimestamp",
              Long.toString(System.currentTimeMillis())));
      message.setMessageAttributes(Map.of());
      return message;
    }
  }

  static final class ProbeContext implements Context {
    private final String functionName;
    private final long deadline;

    ProbeContext(String functionName, int timeoutMs) {
      this.functionName = functionName;
      this.deadline = System.currentTimeMillis() + timeoutMs;
    }

    @Override
    public String getAwsRequestId() {
      return UUID.randomUUID().toString();
    }

    @Override
    public String getLogGroupName() {
      return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
      return "probe";
    }

    @Override
    public String getFunctionName() {
      return functionName;
    }

    @Override
    public String getFunctionVersion() {
      return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
      return "arn:aws:lambda:us-east-1:000000000000:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
      return null;
    }

    @Override
    public ClientContext getClientContext() {
      return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
      return (int) Math.max(0, deadline - System.currentTimeMillis());
    }

    @Override
    public int getMemoryLimitInMB() {
      return 1024;
    }

    @Override
    public LambdaLogger getLogger() {
      return new ProbeLogger();
    }
  }

  static final class ProbeLogger implements LambdaLogger {
    @Override
    public void log(String message) {
      System.err.println(message);
    }

    @Override
    public void log(byte[] message) {
      System.err.println(new String(message, StandardCharsets.UTF_8));
    }
  }
}
