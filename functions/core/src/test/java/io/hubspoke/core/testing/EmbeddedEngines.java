package io.hubspoke.core.testing;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.engines.DynamoDbLocalEngine;
import io.hubspoke.engines.ElasticMqEngine;
import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The engines the local runtime embeds: DynamoDB Local and ElasticMQ, and a PutEvents endpoint
 * given by the module that has one (the local runtime's {@code LocalEventBus}), each started only
 * when a contract first asks for its service.
 */
public class EmbeddedEngines implements Engines {
  /** A PutEvents endpoint in this JVM that routes matching events to a consumer. */
  public interface EmbeddedBus extends AutoCloseable {
    URI endpoint();

    void addRule(String name, String pattern, Consumer<String> target);

    @Override
    void close();
  }

  private final Supplier<EmbeddedBus> busFactory;
  private DynamoDbLocalEngine dynamoDb;
  private ElasticMqEngine elasticMq;
  private EmbeddedBus bus;

  /** DynamoDB Local and ElasticMQ only. */
  public EmbeddedEngines() {
    this(
        () -> {
          throw new UnsupportedOperationException("these engines have no event bus");
        });
  }

  public EmbeddedEngines(Supplier<EmbeddedBus> busFactory) {
    this.busFactory = busFactory;
  }

  private final Set<String> done = new HashSet<>();

  @Override
  public String name() {
    return "embedded (DynamoDB Local, ElasticMQ, LocalEventBus)";
  }

  @Override
  public synchronized Map<String, String> environment(Service... services) {
    for (Service service : services) {
      switch (service) {
        case DYNAMODB -> {
          if (dynamoDb == null) {
            dynamoDb = DynamoDbLocalEngine.start();
          }
        }
        case SQS -> {
          if (elasticMq == null) {
            elasticMq = ElasticMqEngine.start();
          }
        }
        case EVENTS -> {
          if (bus == null) {
            bus = busFactory.get();
          }
        }
      }
    }
    Map<String, String> env = new HashMap<>();
    env.put(HubspokeEnvironment.AWS_REGION, "us-east-1");
    env.put("AWS_ACCESS_KEY_ID", "local");
    env.put("AWS_SECRET_ACCESS_KEY", "local");
    if (dynamoDb != null) {
      env.put(HubspokeEnvironment.ENDPOINT_DYNAMODB, dynamoDb.endpoint().toString());
    }
    if (elasticMq != null) {
      env.put(HubspokeEnvironment.ENDPOINT_SQS, elasticMq.endpoint().toString());
    }
    if (bus != null) {
      env.put(HubspokeEnvironment.ENDPOINT_EVENTBRIDGE, bus.endpoint().toString());
    }
    return env;
  }

  @Override
  public Subscription subscribe(String ruleName, String pattern) {
    environment(Service.EVENTS);
    List<String> delivered = new CopyOnWriteArrayList<>();
    bus.addRule(ruleName, pattern, delivered::add);
    return () -> List.copyOf(delivered);
  }

  @Override
  public synchronized void once(String what, Runnable action) {
    if (done.add(what)) {
      action.run();
    }
  }

  @Override
  public synchronized void close() {
    // DynamoDB Local's Jetty threads are not daemons: always stop it.
    for (AutoCloseable engine : new AutoCloseable[] {bus, elasticMq, dynamoDb}) {
      if (engine != null) {
        try {
          engine.close();
        } catch (Exception e) {
          // best effort
        }
      }
    }
  }
}
