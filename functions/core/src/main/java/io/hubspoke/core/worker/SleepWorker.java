package io.hubspoke.core.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.workers.SleepWorkerConfig;
import io.hubspoke.worker.TaskContext;
import io.hubspoke.worker.TaskOutcome;
import io.hubspoke.worker.TaskWorker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;

/**
 * Sleeps {@code ms} milliseconds. {@code failRate} is the share of tasks that fail on every attempt
 * (retryable, so they use up {@code maxAttempts}); {@code flakyRate} the share of tasks whose first
 * attempt fails and whose retry succeeds. Both are decided from a hash of the task id, so a test
 * can compute exactly which tasks fail with {@link #failsEveryAttempt} and {@link #isFlaky}.
 */
public final class SleepWorker implements TaskWorker {

  @Override
  public String name() {
    return "sleep";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    return SleepWorkerConfig.SCHEMA.validateConfig(config);
  }

  @Override
  public TaskOutcome execute(TaskContext context) throws InterruptedException {
    JsonNode config = context.config();
    long ms = config.path("ms").asLong(0);
    double failRate = config.path("failRate").asDouble(0.0);
    double flakyRate = config.path("flakyRate").asDouble(0.0);
    Duration remaining = context.remaining();
    if (Duration.ofMillis(ms).compareTo(remaining) > 0) {
      Thread.sleep(remaining.toMillis());
      return TaskOutcome.retryable(
          "Timeout",
          "sleep of " + ms + " ms does not fit in the " + remaining.toMillis() + " ms left");
    }
    if (ms > 0) {
      Thread.sleep(ms);
    }
    if (failsEveryAttempt(context.taskId(), failRate)) {
      return TaskOutcome.retryable("InjectedFailure", "failRate selected this task");
    }
    if (context.attempt() == 1 && isFlaky(context.taskId(), flakyRate)) {
      return TaskOutcome.retryable("FlakyFailure", "flakyRate selected this task's first attempt");
    }
    return TaskOutcome.success(Json.object().put("sleptMs", ms));
  }

  public static boolean failsEveryAttempt(String taskId, double failRate) {
    return failRate > 0 && unitHash("fail:" + taskId) < failRate;
  }

  public static boolean isFlaky(String taskId, double flakyRate) {
    return flakyRate > 0 && unitHash("flaky:" + taskId) < flakyRate;
  }

  /** A uniform number in [0, 1) from the text: the top 53 bits of its SHA-256. */
  static double unitHash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      long bits = ByteBuffer.wrap(digest).getLong() >>> 11;
      return bits / (double) (1L << 53);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
