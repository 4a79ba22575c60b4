package io.hubspoke.engines;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * ElasticMQ's SQS-compatible server running in this JVM on 127.0.0.1. It speaks the AWS JSON
 * protocol current SDK v2 clients use, keeps ApproximateReceiveCount and applies a queue's
 * RedrivePolicy, which is what the local runtime relies on for at-least-once delivery and DLQs.
 */
public final class ElasticMqEngine implements AutoCloseable {
  /** SQS's maximum retention, which the CDK stack gives the dead-letter queue. */
  public static final Duration DEAD_LETTER_RETENTION = Duration.ofDays(14);

  private final SQSRestServer server;
  private final URI endpoint;

  private ElasticMqEngine(SQSRestServer server, URI endpoint) {
    this.server = server;
    this.endpoint = endpoint;
  }

  /** Starts on 127.0.0.1 on an ephemeral port. */
  public static ElasticMqEngine start() {
    return start(0);
  }

  /** Starts on 127.0.0.1 on {@code port}, or on an ephemeral port when {@code port} is 0. */
  public static ElasticMqEngine start(int port) {
    SQSRestServer server = SQSRestServerBuilder.withPort(port).withInterface("127.0.0.1").start();
    int bound;
    try {
      bound = server.waitUntilStarted().localAddress().getPort();
    } catch (RuntimeException e) {
      server.stopAndWait();
      throw new IllegalStateException("ElasticMQ did not start", e);
    }
    return new ElasticMqEngine(server, URI.create("http://127.0.0.1:" + bound));
  }

  /** {@code http://127.0.0.1:<port>}, for {@code endpointOverride} or AWS_ENDPOINT_URL_SQS. */
  public URI endpoint() {
    return endpoint;
  }

  /** URLs and ARNs of a work queue and its dead-letter queue. */
  public record WorkQueues(
      String queueUrl, String queueArn, String deadLetterQueueUrl, String deadLetterQueueArn) {}

  /**
   * Creates {@code <name>-dlq} (14 days' retention) and {@code <name>} with the given visibility
   * timeout and a RedrivePolicy that moves a message to the DLQ once it has been received {@code
   * maxReceiveCount} times, as the CDK stack does. The ARNs are read back from the queues rather
   * than assembled, since ElasticMQ uses its own region in them.
   */
  public static WorkQueues createWorkQueues(
      SqsClient sqs, String name, Duration visibilityTimeout, int maxReceiveCount) {
    if (maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new IllegalArgumentException("maxReceiveCount must be 1-1000: " + maxReceiveCount);
    }
    long visibilitySeconds = visibilityTimeout.toSeconds();
    if (visibilitySeconds < 0 || visibilitySeconds > Duration.ofHours(12).toSeconds()) {
      throw new IllegalArgumentException(
          "visibility timeout must be 0 s-12 h: " + visibilityTimeout);
    }
    String dlqUrl =
        sqs.createQueue(
                b ->
                    b.queueName(name + "-dlq")
                        .attributes(
                            Map.of(
                                QueueAttributeName.MESSAGE_RETENTION_PERIOD,
                                String.valueOf(DEAD_LETTER_RETENTION.toSeconds()))))
            .queueUrl();
    String dlqArn = arnOf(sqs, dlqUrl);
    String redrivePolicy =
        "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":" + maxReceiveCount + "}";
    String queueUrl =
        sqs.createQueue(
                b ->
                    b.queueName(name)
                        .attributes(
                            Map.of(
                                QueueAttributeName.VISIBILITY_TIMEOUT,
                                String.valueOf(visibilitySeconds),
                                QueueAttributeName.REDRIVE_POLICY,
                                redrivePolicy)))
            .queueUrl();
    return new WorkQueues(queueUrl, arnOf(sqs, queueUrl), dlqUrl, dlqArn);
  }

  private static String arnOf(SqsClient sqs, String queueUrl) {
    return sqs.getQueueAttributes(
            b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes()
        .get(QueueAttributeName.QUEUE_ARN);
  }

  @Override
  public void close() {
    server.stopAndWait();
  }
}
