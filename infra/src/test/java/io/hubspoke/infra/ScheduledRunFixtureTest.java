package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static io.hubspoke.infra.TemplateJson.properties;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The local runtime's scheduled-run test ({@code local/.../ScheduledRunIT}) delivers the schedule
 * rule's target input through the local bus; local cannot depend on this module (CDK, jsii, node),
 * so the input comes as a committed fixture, and this test keeps the fixture equal to what the
 * stack synthesizes. Run with {@code -Dhubspoke.writeFixtures=true} to rewrite it after a change to
 * {@code ScheduledRuns}, then review and commit the file.
 */
class ScheduledRunFixtureTest {
  static final Path FIXTURE =
      Synth.REPO_ROOT.resolve("local/src/test/resources/scheduled-runs/nightly-target.json");

  @Test
  void theLocalFixtureIsTheSynthesizedScheduleTarget() throws Exception {
    Synth.Result synth = Synth.defaults();
    Map<String, Object> rule =
        properties(synth, synth.logicalId(synth.stack().getScheduledRuns().getRules().get(0)));
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode expected = json.createObjectNode();
    expected.put("name", (String) Synth.NIGHTLY.get("name"));
    expected.put("ScheduleExpression", (String) rule.get("ScheduleExpression"));
    expected.set("InputTransformer", json.valueToTree(at(rule, "Targets", 0, "InputTransformer")));

    if (Boolean.getBoolean("hubspoke.writeFixtures")) {
      Files.createDirectories(FIXTURE.getParent());
      Files.writeString(FIXTURE, json.writeValueAsString(expected) + "\n", StandardCharsets.UTF_8);
    }
    if (!Files.exists(FIXTURE)) {
      fail(FIXTURE + " is missing: run this test with -Dhubspoke.writeFixtures=true");
    }
    JsonNode committed = json.readTree(FIXTURE.toFile());
    assertEquals(
        comparable(expected),
        comparable(committed),
        FIXTURE
            + " differs from the synthesized schedule target: run this test with"
            + " -Dhubspoke.writeFixtures=true, review the change and commit it");
  }

  /**
   * The fixture with its input template parsed: the synthesized template's key order follows the
   * schedule's request map, whose iteration order may change from one JVM to the next, and means
   * nothing. Each placeholder becomes a marked string, so the template parses as JSON.
   */
  private static JsonNode comparable(JsonNode fixture) throws Exception {
    ObjectNode copy = fixture.deepCopy();
    ObjectNode transformer = (ObjectNode) copy.get("InputTransformer");
    String template = transformer.get("InputTemplate").asText();
    StringBuilder out = new StringBuilder();
    boolean inString = false;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (inString && c == '\\') {
        out.append(c).append(template.charAt(++i));
        continue;
      }
      if (c == '"') {
        inString = !inString;
      }
      int close = c == '<' ? template.indexOf('>', i) : -1;
      if (close > i) {
        String marker = "@@" + template.substring(i + 1, close) + "@@";
        out.append(inString ? marker : '"' + marker + '"');
        i = close;
      } else {
        out.append(c);
      }
    }
    transformer.set("InputTemplate", new ObjectMapper().readTree(out.toString()));
    return copy;
  }
}
