package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;

/**
 * The body of a dispatch-queue message: one chunk of a run's durable request to turn into tasks, or
 * ({@link #discover}) the next pages of a run's discovery. The chunk's items live in the table; the
 * message only names them.
 *
 * @param chunk the chunk, or {@link #DISCOVER}, {@link #CANCEL} or {@link #REDRIVE}
 * @param shard the shard a {@link #REDRIVE} message revives tasks in
 * @param round the redrive round of a {@link #REDRIVE} message
 */
public record DispatchMessage(String runId, String incarnation, int chunk, int shard, int round) {
  public DispatchMessage(String runId, String incarnation, int chunk) {
    this(runId, incarnation, chunk, 0, 0);
  }

  public static final int VERSION = 1;

  /** The chunk number of a message that asks for the next pages of discovery. */
  public static final int DISCOVER = -1;

  /** The chunk number of a message that asks a hub to cancel a cancelled run's waiting tasks. */
  public static final int CANCEL = -2;

  /** A message that asks a hub to cancel the waiting tasks of {@code spec}'s cancelled run. */
  public static DispatchMessage cancel(RunSpec spec) {
    return new DispatchMessage(spec.runId(), spec.incarnation(), CANCEL);
  }

  public boolean isCancel() {
    return chunk == CANCEL;
  }

  /** The chunk number of a message that asks a hub to revive a redriven run's tasks of a shard. */
  public static final int REDRIVE = -3;

  /** A message that asks a hub to revive the tasks of {@code shard} in redrive {@code round}. */
  public static DispatchMessage redrive(RunSpec spec, int shard, int round) {
    return redrive(spec.runId(), spec.incarnation(), shard, round);
  }

  private static DispatchMessage redrive(String runId, String incarnation, int shard, int round) {
    return new DispatchMessage(runId, incarnation, REDRIVE, shard, round);
  }

  public boolean isRedrive() {
    return chunk == REDRIVE;
  }

  /** A message that asks a hub to go on with the discovery of {@code spec}'s run. */
  public static DispatchMessage discover(RunSpec spec) {
    return new DispatchMessage(spec.runId(), spec.incarnation(), DISCOVER);
  }

  public boolean isDiscover() {
    return chunk == DISCOVER;
  }

  public String toJson() {
    ObjectNode node = Json.object();
    node.put("v", VERSION);
    node.put("runId", runId);
    node.put("incarnation", incarnation);
    if (isDiscover()) {
      node.put("discover", true);
    } else if (isCancel()) {
      node.put("cancel", true);
    } else if (isRedrive()) {
      node.put("redrive", true);
      node.put("shard", shard);
      node.put("round", round);
    } else {
      node.put("chunk", chunk);
    }
    return Json.write(node);
  }

  /**
   * @throws IllegalArgumentException naming what is wrong
   */
  public static DispatchMessage parse(String body) {
    JsonNode node = MessageBody.parse(body, VERSION);
    JsonNode incarnation = node.get("incarnation");
    if (incarnation == null
        || !incarnation.isTextual()
        || !RunIds.isValidIncarnation(incarnation.textValue())) {
      throw new IllegalArgumentException("field incarnation is missing or malformed");
    }
    if (node.path("discover").asBoolean(false)) {
      return new DispatchMessage(node.get("runId").textValue(), incarnation.textValue(), DISCOVER);
    }
    if (node.path("cancel").asBoolean(false)) {
      return new DispatchMessage(node.get("runId").textValue(), incarnation.textValue(), CANCEL);
    }
    if (node.path("redrive").asBoolean(false)) {
      return redrive(
          node.get("runId").textValue(),
          incarnation.textValue(),
          MessageBody.position(node, "shard", "shard number"),
          MessageBody.position(node, "round", "redrive round"));
    }
    int chunk = MessageBody.position(node, "chunk", "chunk number");
    return new DispatchMessage(node.get("runId").textValue(), incarnation.textValue(), chunk);
  }
}
