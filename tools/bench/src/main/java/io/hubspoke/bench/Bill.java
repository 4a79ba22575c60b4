package io.hubspoke.bench;

import java.util.Map;

/**
 * What a measured run cost: the AWS requests a {@link RequestCounter} saw and the functions' billed
 * time, priced with the cost model's prices ({@link Prices}).
 *
 * @param apiRequests HTTP API requests (pull workers' claims, heartbeats and results)
 * @param emptyPolls receives without a message and queries without an item
 * @param failedWrites conditional writes that lost (claims and commits that found the task moved)
 */
record Bill(
    long requests,
    double writeUnits,
    double readUnits,
    long sqsRequests,
    long events,
    long emptyPolls,
    long failedWrites,
    long apiRequests,
    FunctionUsage usage,
    double hubGbS,
    double spokeGbS,
    double collectorGbS,
    Prices prices) {

  static Bill of(
      Map<String, RequestCounter.Tally> tallies,
      FunctionUsage usage,
      long apiRequests,
      RepoFiles repo,
      Prices prices) {
    double wcu = 0;
    double rcu = 0;
    long sqs = 0;
    long events = 0;
    long requests = 0;
    long empty = 0;
    long failedWrites = 0;
    for (Map.Entry<String, RequestCounter.Tally> e : tallies.entrySet()) {
      RequestCounter.Tally t = e.getValue();
      requests += t.attempts();
      wcu += t.writeUnits();
      rcu += t.readUnits();
      empty += t.empty();
      if (e.getKey().startsWith("Sqs.")) {
        sqs += t.billedRequests();
      }
      if (e.getKey().equals("EventBridge.PutEvents")) {
        events += t.entries();
      }
      if (e.getKey().equals("DynamoDb.UpdateItem")) {
        failedWrites += t.failed();
      }
    }
    return new Bill(
        requests,
        wcu,
        rcu,
        sqs,
        events,
        empty,
        failedWrites,
        apiRequests,
        usage,
        usage.hubMs() / 1000.0 * repo.memoryMb("hub") / 1024.0,
        usage.spokeMs() / 1000.0 * repo.memoryMb("spoke") / 1024.0,
        usage.collectorMs() / 1000.0 * repo.memoryMb("collector") / 1024.0,
        prices);
  }

  double gbSeconds() {
    return hubGbS + spokeGbS + collectorGbS;
  }

  double dynamoUsd() {
    return writeUnits * prices.unit(Prices.DYNAMODB_WRITE)
        + readUnits * prices.unit(Prices.DYNAMODB_READ);
  }

  double sqsUsd() {
    return sqsRequests * prices.unit(Prices.SQS_REQUEST);
  }

  double eventsUsd() {
    return events * prices.unit(Prices.EVENTBRIDGE_EVENT);
  }

  double lambdaRequestsUsd() {
    return usage.invocations() * prices.unit(Prices.LAMBDA_REQUEST);
  }

  double lambdaDurationUsd() {
    return gbSeconds() * prices.unit(Prices.LAMBDA_GB_SECOND);
  }

  double apiUsd() {
    return apiRequests * prices.unit(Prices.APIGATEWAY_HTTP_REQUEST);
  }

  double totalUsd() {
    return dynamoUsd()
        + sqsUsd()
        + eventsUsd()
        + lambdaRequestsUsd()
        + lambdaDurationUsd()
        + apiUsd();
  }
}
