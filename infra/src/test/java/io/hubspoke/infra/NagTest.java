package io.hubspoke.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

class NagTest {
  @Test
  void noUnsuppressedNagErrors() {
    Synth.Result result = Synth.defaults();
    List<SynthesisMessage> errors =
        Annotations.fromStack(result.stack()).findError("*", Match.anyValue());
    StringBuilder report = new StringBuilder();
    for (SynthesisMessage m : errors) {
      report.append(m.getId()).append(": ").append(m.getEntry().getData()).append('\n');
    }
    assertEquals("", report.toString());
  }
}
