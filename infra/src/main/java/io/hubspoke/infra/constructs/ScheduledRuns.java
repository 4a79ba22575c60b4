package io.hubspoke.infra.constructs;

import io.hubspoke.contract.api.RunRequestParser;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.contract.workers.BuiltInWorkers;
import io.hubspoke.contract.workers.WorkerCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.EventField;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.events.RuleTargetInputProperties;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * Runs on a schedule: each {@link ScheduledRun} becomes a scheduled EventBridge rule that invokes
 * the hub with an input transformer producing
 *
 * <pre>{@code
 * {"source": "hubspoke.schedule", "detail-type": "Scheduled Run", "time": <event time>,
 *  "detail": {<the run request>..., "idempotencyKey": "schedule-<name>-<event time>"}}
 * }</pre>
 *
 * The key is derived from the firing's time, so a duplicate delivery of one firing creates one run.
 * At synth, each request is parsed with the hub's own {@link RunRequestParser} and each rendered
 * input template is checked against EventBridge's {@value #MAX_INPUT_TEMPLATE_CHARS} characters: a
 * schedule that could only fail is refused before it is deployed.
 */
public class ScheduledRuns extends Construct {
  /** {@code source} of the events the schedules send to the hub. */
  public static final String SOURCE = "hubspoke.schedule";

  /** {@code detail-type} of the events the schedules send to the hub. */
  public static final String DETAIL_TYPE = "Scheduled Run";

  /** EventBridge's limit on a target's input template, in characters. */
  public static final int MAX_INPUT_TEMPLATE_CHARS = 8192;

  /** A firing time as EventBridge renders {@code <time>}, to check what the hub will be sent. */
  static final String SAMPLE_TIME = "2026-01-01T00:00:00Z";

  private final Map<String, Rule> rules = new LinkedHashMap<>();

  public ScheduledRuns(Construct scope, String id, Props props) {
    super(scope, id);
    RunRequestParser parser = new RunRequestParser(props.getWorkers());
    for (ScheduledRun run : props.getSchedules()) {
      checkRequest(run, parser);
      RuleTargetInput input = RuleTargetInput.fromObject(input(run));
      Rule rule =
          Rule.Builder.create(this, "Schedule-" + run.name())
              .description("hubspoke scheduled run '" + run.name() + "'")
              .schedule(Schedule.expression(run.expression()))
              .build();
      checkInputLength(run, rule, input);
      rule.addTarget(
          LambdaFunction.Builder.create(props.getHub())
              .event(input)
              .retryAttempts(props.getRetryAttempts())
              .maxEventAge(Duration.seconds(props.getMaxEventAgeSeconds()))
              .deadLetterQueue(props.getDeadLetterQueue())
              .build());
      rules.put(run.name(), rule);
    }
  }

  /**
   * Parses the request the hub will receive, with the hub's own parser: a request it rejects would
   * fail on every firing, long after the deploy.
   */
  static void checkRequest(ScheduledRun run, RunRequestParser parser) {
    try {
      parser.parse(Json.mapper().valueToTree(detail(run, SAMPLE_TIME)));
    } catch (InvalidInputException e) {
      List<String> problems = new ArrayList<>();
      for (FieldError error : e.errors()) {
        problems.add(
            "request." + error.field() + ": " + error.message() + " (" + error.fix() + ")");
      }
      throw new IllegalArgumentException(
          "schedule '"
              + run.name()
              + "' in "
              + ScheduledRun.CONTEXT_KEY
              + ": the hub would reject its run request on every firing: "
              + String.join("; ", problems));
    }
  }

  /** The rendered input template must fit EventBridge's limit, or the deploy fails late. */
  private static void checkInputLength(ScheduledRun run, Rule rule, RuleTargetInput input) {
    RuleTargetInputProperties bound = input.bind(rule);
    Object template =
        Stack.of(rule)
            .resolve(
                bound.getInputTemplate() != null ? bound.getInputTemplate() : bound.getInput());
    int length = template.toString().length();
    if (length > MAX_INPUT_TEMPLATE_CHARS) {
      Object items = run.request().get("items");
      throw new IllegalArgumentException(
          "schedule '"
              + run.name()
              + "' in "
              + ScheduledRun.CONTEXT_KEY
              + ": its rule's input template is "
              + length
              + " characters, above EventBridge's limit of "
              + MAX_INPUT_TEMPLATE_CHARS
              + "; shorten the request (request.items"
              + (items instanceof List<?> list ? " has " + list.size() + " items" : "")
              + "): e.g. one item naming a list the worker reads, or split the items over"
              + " several schedules");
    }
  }

  /** The run request the hub receives from a firing at {@code time}. */
  private static Map<String, Object> detail(ScheduledRun run, String time) {
    Map<String, Object> detail = new LinkedHashMap<>(run.request());
    detail.put("idempotencyKey", "schedule-" + run.name() + "-" + time);
    return detail;
  }

  /** The object the rule's input transformer renders for {@code run}. */
  static Map<String, Object> input(ScheduledRun run) {
    Map<String, Object> detail = detail(run, EventField.getTime());
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("source", SOURCE);
    event.put("detail-type", DETAIL_TYPE);
    event.put("time", EventField.getTime());
    event.put("detail", detail);
    return event;
  }

  public List<Rule> getRules() {
    return List.copyOf(rules.values());
  }

  /** The rules by schedule name, in the order of the configuration. */
  public Map<String, Rule> getRulesByName() {
    return new LinkedHashMap<>(rules);
  }

  /** Settings of {@link ScheduledRuns}. */
  public static final class Props {
    private final List<ScheduledRun> schedules;
    private final IFunction hub;
    private final IQueue deadLetterQueue;
    private final int retryAttempts;
    private final int maxEventAgeSeconds;
    private final WorkerCatalog workers;

    private Props(Builder b) {
      this.schedules = List.copyOf(b.schedules);
      this.hub = Objects.requireNonNull(b.hub, "hub");
      this.deadLetterQueue = Objects.requireNonNull(b.deadLetterQueue, "deadLetterQueue");
      this.retryAttempts = b.retryAttempts;
      this.maxEventAgeSeconds = b.maxEventAgeSeconds;
      this.workers = Objects.requireNonNull(b.workers, "workers");
    }

    public static Builder builder() {
      return new Builder();
    }

    public List<ScheduledRun> getSchedules() {
      return schedules;
    }

    public IFunction getHub() {
      return hub;
    }

    public IQueue getDeadLetterQueue() {
      return deadLetterQueue;
    }

    public int getRetryAttempts() {
      return retryAttempts;
    }

    public int getMaxEventAgeSeconds() {
      return maxEventAgeSeconds;
    }

    /** The workers the deployed hub offers: the requests are checked against them. */
    public WorkerCatalog getWorkers() {
      return workers;
    }

    public static final class Builder {
      private List<ScheduledRun> schedules = List.of();
      private IFunction hub;
      private IQueue deadLetterQueue;
      private int retryAttempts = 8;
      private int maxEventAgeSeconds = 3600;
      private WorkerCatalog workers = BuiltInWorkers.catalog();

      public Builder schedules(List<ScheduledRun> schedules) {
        this.schedules = schedules;
        return this;
      }

      /** The hub's alias. */
      public Builder hub(IFunction hub) {
        this.hub = hub;
        return this;
      }

      public Builder deadLetterQueue(IQueue deadLetterQueue) {
        this.deadLetterQueue = deadLetterQueue;
        return this;
      }

      public Builder retryAttempts(int retryAttempts) {
        this.retryAttempts = retryAttempts;
        return this;
      }

      public Builder maxEventAgeSeconds(int seconds) {
        this.maxEventAgeSeconds = seconds;
        return this;
      }

      /** The workers the deployed hub offers (the built-in ones unless the hub is extended). */
      public Builder workers(WorkerCatalog workers) {
        this.workers = workers;
        return this;
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
