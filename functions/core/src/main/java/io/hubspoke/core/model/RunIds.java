package io.hubspoke.core.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Run and task identifiers. A run submitted with an idempotency key gets an id derived from the
 * key, so the conditional put of the run record is the idempotency check; task ids are derived from
 * the run id and the item's position, so a retried dispatch writes the same tasks.
 */
public final class RunIds {
  private static final Pattern RUN_ID = Pattern.compile("[kr]-[0-9a-f]{24}");
  private static final Pattern INCARNATION = Pattern.compile("[0-9a-f]{12}");

  private RunIds() {}

  public static String fromIdempotencyKey(String idempotencyKey) {
    return "k-" + sha256Hex(idempotencyKey).substring(0, 24);
  }

  public static String random() {
    return "r-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
  }

  /** A new incarnation: what tells two runs created under the same id apart. */
  public static String newIncarnation() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  public static boolean isValidIncarnation(String incarnation) {
    return incarnation != null && INCARNATION.matcher(incarnation).matches();
  }

  public static boolean isValid(String runId) {
    return runId != null && RUN_ID.matcher(runId).matches();
  }

  /** The public id of task {@code index} of {@code runId}, e.g. {@code r-…/000042}. */
  public static String taskId(String runId, int index) {
    return runId + "/" + String.format("%06d", index);
  }

  public static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
