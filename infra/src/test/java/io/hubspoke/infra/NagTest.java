package io.hubspoke.infra;

import static io.hubspoke.infra.TemplateJson.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/**
 * cdk-nag's AwsSolutions and Serverless packs find nothing that is not suppressed with a reason.
 */
class NagTest {
  private final Synth.Result synth = Synth.defaults();

  @Test
  void noUnsuppressedErrors() {
    assertEquals(
        "", describe(Annotations.fromStack(synth.stack()).findError("*", Match.anyValue())));
  }

  @Test
  void customConfigurationWithoutApiAuthorizationIsCleanOnlyThroughItsWrittenSuppression() {
    Synth.Result custom = Synth.custom();
    assertEquals(
        "", describe(Annotations.fromStack(custom.stack()).findError("*", Match.anyValue())));
  }

  @Test
  void noUnsuppressedWarnings() {
    assertEquals(
        "", describe(Annotations.fromStack(synth.stack()).findWarning("*", Match.anyValue())));
  }

  @Test
  void bothPacksRan() throws Exception {
    Path outdir = Path.of(synth.app().getOutdir());
    for (String pack : List.of("AwsSolutions", "Serverless")) {
      Path report = outdir.resolve(pack + "-" + synth.stack().getStackName() + "-NagReport.csv");
      assertTrue(Files.isRegularFile(report), report.toString());
      assertTrue(Files.readAllLines(report).size() > 10, report + " checked almost nothing");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everySuppressionCarriesAWrittenReason() throws Exception {
    List<String> lines = new ArrayList<>();
    Map<String, Object> resources = at(synth.json(), "Resources");
    for (Map.Entry<String, Object> resource : resources.entrySet()) {
      Map<String, Object> metadata = at(resource.getValue(), "Metadata");
      if (metadata == null || metadata.get("cdk_nag") == null) {
        continue;
      }
      List<Map<String, Object>> rules = at(metadata, "cdk_nag", "rules_to_suppress");
      for (Map<String, Object> rule : rules) {
        String reason = (String) rule.get("reason");
        assertTrue(reason != null && reason.length() >= 40, resource.getKey() + ": " + rule);
        lines.add(
            resource.getKey()
                + "\t"
                + rule.get("id")
                + (rule.get("applies_to") == null ? "" : " " + rule.get("applies_to"))
                + "\t"
                + reason);
      }
    }
    assertTrue(lines.size() >= 10, "suppressions: " + lines);
    // A readable list for reviewers: target/cdk-test-out/nag-suppressions.tsv
    Files.write(Path.of(synth.app().getOutdir()).resolveSibling("nag-suppressions.tsv"), lines);
  }

  private static String describe(List<SynthesisMessage> messages) {
    StringBuilder report = new StringBuilder();
    for (SynthesisMessage m : messages) {
      report.append(m.getId()).append(": ").append(m.getEntry().getData()).append('\n');
    }
    return report.toString();
  }
}
