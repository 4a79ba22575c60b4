package io.hubspoke.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The event the hub invokes the spoke function with for a push run ({@code dispatch: push}): the
 * keys of up to {@link #MAX_TASKS} tasks of one run, under one top-level field, {@code
 * hubspokePush}, by which the spoke tells it from an SQS batch:
 *
 * <pre>{"hubspokePush":{"v":1,"runId":"…","inc":"…","tasks":[3,4,5]}}</pre>
 *
 * Like a {@link TaskMessage}, only keys: the items live in the table, so an invocation stays far
 * below Lambda's 256 KB limit for an asynchronous payload whatever the items.
 *
 * @param incarnation the run's incarnation, or null (the current run under {@code runId})
 */
public record PushEvent(String runId, String incarnation, List<Integer> tasks) {
  public static final int VERSION = 1;

  /** The field that marks a push event. */
  public static final String FIELD = "hubspokePush";

  /** Tasks per invocation: as many as an SQS batch of the event source mapping at most carries. */
  public static final int MAX_TASKS = 10;

  public PushEvent {
    tasks = List.copyOf(tasks);
    if (tasks.isEmpty() || tasks.size() > MAX_TASKS) {
      throw new IllegalArgumentException(
          "a push event carries 1 to " + MAX_TASKS + " tasks, not " + tasks.size());
    }
  }

  public static PushEvent of(RunSpec spec, List<Integer> tasks) {
    return new PushEvent(spec.runId(), spec.incarnation(), tasks);
  }

  /** Each task's message, as if it had come from the work queue. */
  public List<TaskMessage> messages() {
    return tasks.stream().map(t -> new TaskMessage(runId, t, incarnation)).toList();
  }

  public String toJson() {
    ObjectNode event = Json.object();
    ObjectNode push = event.putObject(FIELD);
    push.put("v", VERSION);
    push.put("runId", runId);
    if (incarnation != null) {
      push.put("inc", incarnation);
    }
    ArrayNode array = push.putArray("tasks");
    tasks.forEach(array::add);
    return Json.write(event);
  }

  /** Whether an invocation's event is a push event (else, for the spoke, an SQS batch). */
  public static boolean isPushEvent(JsonNode event) {
    return event != null && event.isObject() && event.has(FIELD);
  }

  /**
   * Parses a push event.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static PushEvent parse(JsonNode event) {
    if (!isPushEvent(event)) {
      throw new IllegalArgumentException("the event has no field " + FIELD);
    }
    JsonNode push = event.get(FIELD);
    if (!push.isObject()) {
      throw new IllegalArgumentException("field " + FIELD + " is not a JSON object");
    }
    JsonNode node = MessageBody.parse(Json.write(push), VERSION);
    JsonNode inc = node.get("inc");
    if (inc != null && !(inc.isTextual() && RunIds.isValidIncarnation(inc.textValue()))) {
      throw new IllegalArgumentException("field inc is not a run incarnation");
    }
    JsonNode tasks = node.get("tasks");
    if (tasks == null || !tasks.isArray()) {
      throw new IllegalArgumentException("field tasks is missing or not an array");
    }
    List<Integer> indexes = new ArrayList<>(tasks.size());
    for (JsonNode task : tasks) {
      if (!task.isInt() || task.intValue() < 0) {
        throw new IllegalArgumentException("field tasks holds " + task + ", not a task index");
      }
      indexes.add(task.intValue());
    }
    return new PushEvent(
        node.get("runId").textValue(), inc == null ? null : inc.textValue(), indexes);
  }
}
