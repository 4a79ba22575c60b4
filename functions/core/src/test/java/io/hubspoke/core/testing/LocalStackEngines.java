package io.hubspoke.core.testing;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.core.aws.AwsClients;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * DynamoDB, SQS and EventBridge emulated by LocalStack in a Docker container, started through
 * Testcontainers once per JVM and shared by the LocalStack contract classes. Only used where a
 * Docker engine is present (see {@link RequiresDocker}).
 *
 * <p>The image is pinned; {@code -Dhubspoke.localstack.image=…} picks another one, and {@code
 * LOCALSTACK_AUTH_TOKEN}, if set, is passed to the container (images that require an account).
 */
public final class LocalStackEngines implements Engines {
  static final String IMAGE =
      System.getProperty("hubspoke.localstack.image", "localstack/localstack:4.4");

  private static LocalStackEngines shared;

  private final LocalStackContainer container;
  private final AwsClients admin;
  private final Set<String> done = new HashSet<>();

  private LocalStackEngines(LocalStackContainer container) {
    this.container = container;
    this.admin = clients(Service.SQS, Service.EVENTS);
  }

  /** The one container of this JVM, started on first use and stopped when the JVM exits. */
  public static synchronized LocalStackEngines shared() {
    if (shared == null) {
      LocalStackContainer container =
          new LocalStackContainer(DockerImageName.parse(IMAGE))
              .withServices("dynamodb", "sqs", "events");
      String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
      if (token != null && !token.isBlank()) {
        container.withEnv("LOCALSTACK_AUTH_TOKEN", token);
      }
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "localstack-stop"));
      shared = new LocalStackEngines(container);
      shared.admin.eventBridge().createEventBus(b -> b.name(BUS));
    }
    return shared;
  }

  @Override
  public String name() {
    return "LocalStack " + IMAGE;
  }

  @Override
  public Map<String, String> environment(Service... services) {
    String endpoint = container.getEndpoint().toString();
    Map<String, String> env = new HashMap<>();
    env.put(HubspokeEnvironment.AWS_REGION, container.getRegion());
    env.put("AWS_ACCESS_KEY_ID", container.getAccessKey());
    env.put("AWS_SECRET_ACCESS_KEY", container.getSecretKey());
    env.put(HubspokeEnvironment.ENDPOINT_DYNAMODB, endpoint);
    env.put(HubspokeEnvironment.ENDPOINT_SQS, endpoint);
    env.put(HubspokeEnvironment.ENDPOINT_EVENTBRIDGE, endpoint);
    return env;
  }

  /** As on AWS: a rule on the bus whose target is an SQS queue the test then reads. */
  @Override
  public Subscription subscribe(String ruleName, String pattern) {
    var sqs = admin.sqs();
    var events = admin.eventBridge();
    String queueUrl = sqs.createQueue(b -> b.queueName(ruleName)).queueUrl();
    String queueArn =
        sqs.getQueueAttributes(
                b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
            .attributes()
            .get(QueueAttributeName.QUEUE_ARN);
    String ruleArn =
        events.putRule(b -> b.name(ruleName).eventBusName(BUS).eventPattern(pattern)).ruleArn();
    String policy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"events.amazonaws.com\"},\"Action\":\"sqs:SendMessage\","
            + "\"Resource\":\""
            + queueArn
            + "\",\"Condition\":{\"ArnEquals\":{\"aws:SourceArn\":\""
            + ruleArn
            + "\"}}}]}";
    sqs.setQueueAttributes(
        b -> b.queueUrl(queueUrl).attributes(Map.of(QueueAttributeName.POLICY, policy)));
    events.putTargets(
        b -> b.rule(ruleName).eventBusName(BUS).targets(t -> t.id("contract").arn(queueArn)));
    List<String> delivered = new ArrayList<>();
    return () -> {
      synchronized (delivered) {
        List<Message> messages =
            sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages();
        for (Message m : messages) {
          delivered.add(m.body());
          sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
        }
        return List.copyOf(delivered);
      }
    };
  }

  @Override
  public synchronized void once(String what, Runnable action) {
    if (done.add(what)) {
      action.run();
    }
  }

  /** Shared by the classes of this JVM: stopped at exit, not by each class. */
  @Override
  public void close() {}
}
