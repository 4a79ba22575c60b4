package io.hubspoke.hub;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.config.HubspokeEnvironment;
import io.hubspoke.core.json.Json;
import io.hubspoke.core.service.Hubspoke;
import io.hubspoke.core.worker.WorkerRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * The hub Lambda. Parses the event, delegates to {@link HubApi}, writes the response. AWS clients
 * are built once per instance, in the constructor.
 */
public final class HubHandler implements RequestStreamHandler {
  /** Kept back from the invocation's remaining time to write the response. */
  static final Duration RESPONSE_RESERVE = Duration.ofSeconds(1);

  private final HubApi api;

  public HubHandler() {
    this(HubspokeEnvironment.fromSystem());
  }

  public HubHandler(HubspokeEnvironment env) {
    this(env, AwsClients.fromEnvironment(env), Clock.systemUTC());
  }

  public HubHandler(HubspokeEnvironment env, AwsClients clients, Clock clock) {
    this(env, clients, clock, WorkerRegistry.builtIn());
  }

  /** With the workers this deployment offers (the built-in ones unless extended). */
  public HubHandler(
      HubspokeEnvironment env, AwsClients clients, Clock clock, WorkerRegistry workers) {
    this(wire(Hubspoke.create(env, clients, clock, workers)));
  }

  HubHandler(HubApi api) {
    this.api = api;
  }

  private static HubApi wire(Hubspoke hubspoke) {
    return new HubApi(hubspoke.requestParser(), hubspoke.submission(), hubspoke.queries());
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    JsonNode event;
    try {
      event = Json.parse(input);
    } catch (JsonProcessingException e) {
      output.write(
          Json.write(
                  Json.object()
                      .put("error", "InvalidEvent")
                      .put("message", "the event is not JSON"))
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    Duration budget = Duration.ofMillis(context.getRemainingTimeInMillis()).minus(RESPONSE_RESERVE);
    JsonNode response = api.handle(event, budget.isNegative() ? Duration.ZERO : budget);
    output.write(Json.write(response).getBytes(StandardCharsets.UTF_8));
  }
}
