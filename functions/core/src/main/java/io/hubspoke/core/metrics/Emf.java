package io.hubspoke.core.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import java.time.Instant;
import java.util.Map;

/**
 * CloudWatch embedded metric format (EMF): a JSON object on one log line from which CloudWatch Logs
 * extracts metrics. A Lambda function writes it to standard output; no SDK client, no PutMetricData
 * call and no extra permission are needed.
 */
public final class Emf {
  private Emf() {}

  /**
   * One EMF line: each of {@code counts} becomes a metric (unit Count) of {@code namespace} with
   * exactly {@code dimensions}; {@code properties} are logged with it but are not metrics.
   */
  public static String line(
      String namespace,
      Map<String, String> dimensions,
      Map<String, ? extends Number> counts,
      Map<String, String> properties,
      Instant timestamp) {
    ObjectNode directive = Json.object();
    directive.put("Namespace", namespace);
    ArrayNode dimensionSet = directive.putArray("Dimensions").addArray();
    dimensions.keySet().forEach(dimensionSet::add);
    ArrayNode metrics = directive.putArray("Metrics");
    counts.keySet().forEach(name -> metrics.addObject().put("Name", name).put("Unit", "Count"));

    ObjectNode line = Json.object();
    ObjectNode aws = line.putObject("_aws");
    aws.put("Timestamp", timestamp.toEpochMilli());
    aws.putArray("CloudWatchMetrics").add(directive);
    dimensions.forEach(line::put);
    counts.forEach(
        (name, value) -> {
          if (value instanceof Integer || value instanceof Long) {
            line.put(name, value.longValue());
          } else {
            line.put(name, value.doubleValue());
          }
        });
    properties.forEach(line::put);
    return Json.write(line);
  }
}
