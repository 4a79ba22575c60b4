package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpokeEventSourceTest {
  @Test
  @SuppressWarnings("unchecked")
  void workQueueTriggersTheSpokeAliasWithBatchItemFailures() throws Exception {
    Synth.Result synth = Synth.defaults();
    Map<String, Map<String, Object>> mappings = resources(synth, "AWS::Lambda::EventSourceMapping");
    assertEquals(1, mappings.size());
    Map<String, Object> props =
        (Map<String, Object>) mappings.values().iterator().next().get("Properties");
    assertEquals(
        synth.getAtt(synth.stack().getWorkQueue().getQueue(), "Arn"), props.get("EventSourceArn"));
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
    Map<String, Object> props =
        (Map<String, Object>)
            resources(custom, "AWS::Lambda::EventSourceMapping")
                .values()
                .iterator()
                .next()
                .get("Properties");
    assertEquals(50, props.get("BatchSize"));
    assertEquals(5, props.get("MaximumBatchingWindowInSeconds"));
    assertEquals(Map.of("MaximumConcurrency", 7), props.get("ScalingConfig"));
    assertEquals(List.of("ReportBatchItemFailures"), props.get("FunctionResponseTypes"));
  }
}
