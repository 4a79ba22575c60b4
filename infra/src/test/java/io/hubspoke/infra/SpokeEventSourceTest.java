package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hubspoke.infra.constructs.HubFunction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.sqs.Queue;

class SpokeEventSourceTest {
  @Test
  @SuppressWarnings("unchecked")
  void workQueueTriggersTheSpokeAliasWithBatchItemFailures() throws Exception {
    Synth.Result synth = Synth.defaults();
    Map<String, Object> props = mappingOf(synth, synth.stack().getWorkQueue().getQueue());
    assertEquals(10, props.get("BatchSize"));
    assertEquals(0, props.get("MaximumBatchingWindowInSeconds"));
    assertEquals(List.of("ReportBatchItemFailures"), props.get("FunctionResponseTypes"));
    assertEquals(Map.of("MaximumConcurrency", 50), props.get("ScalingConfig"));
    // The alias, not $LATEST: only published versions are SnapStart-ed.
    String functionName = new ObjectMapper().writeValueAsString(props.get("FunctionName"));
    String aliasRef =
        new ObjectMapper().writeValueAsString(synth.ref(synth.stack().getSpoke().getAlias()));
    assertTrue(functionName.contains(aliasRef), functionName);
    assertTrue(functionName.contains("\":live\""), functionName);
  }

  @Test
  @SuppressWarnings("unchecked")
  void batchSizeWindowAndConcurrencyAreConfigurable() {
    Synth.Result custom = Synth.custom();
    Map<String, Object> props = mappingOf(custom, custom.stack().getWorkQueue().getQueue());
    assertEquals(50, props.get("BatchSize"));
    assertEquals(5, props.get("MaximumBatchingWindowInSeconds"));
    assertEquals(Map.of("MaximumConcurrency", 7), props.get("ScalingConfig"));
    assertEquals(List.of("ReportBatchItemFailures"), props.get("FunctionResponseTypes"));
  }

  @Test
  void dispatchQueueTriggersTheHubAliasAFewChunksAtATime() throws Exception {
    Synth.Result synth = Synth.defaults();
    assertEquals(2, resources(synth, "AWS::Lambda::EventSourceMapping").size());
    Map<String, Object> props = mappingOf(synth, synth.stack().getDispatchQueue().getQueue());
    assertEquals(HubFunction.DISPATCH_BATCH_SIZE, props.get("BatchSize"));
    assertEquals(List.of("ReportBatchItemFailures"), props.get("FunctionResponseTypes"));
    assertEquals(
        Map.of("MaximumConcurrency", HubFunction.DISPATCH_MAX_CONCURRENCY),
        props.get("ScalingConfig"));
    String functionName = new ObjectMapper().writeValueAsString(props.get("FunctionName"));
    String aliasRef =
        new ObjectMapper().writeValueAsString(synth.ref(synth.stack().getHub().getAlias()));
    assertTrue(functionName.contains(aliasRef), functionName);
  }

  /** The properties of the one event source mapping that reads {@code queue}. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> mappingOf(Synth.Result synth, Queue queue) {
    List<Map<String, Object>> found =
        resources(synth, "AWS::Lambda::EventSourceMapping").values().stream()
            .map(m -> (Map<String, Object>) m.get("Properties"))
            .filter(p -> synth.getAtt(queue, "Arn").equals(p.get("EventSourceArn")))
            .toList();
    assertEquals(1, found.size(), "event source mappings of " + queue.getNode().getPath());
    return found.get(0);
  }
}
