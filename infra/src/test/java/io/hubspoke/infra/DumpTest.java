package io.hubspoke.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;

class DumpTest {
  @Test
  void dump() throws Exception {
    Synth.Result r = Synth.defaults();
    Files.writeString(
        Path.of("/tmp/template.json"),
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writerWithDefaultPrettyPrinter()
            .writeValueAsString(r.template().toJSON()));
    StringBuilder sb = new StringBuilder();
    for (var m : Annotations.fromStack(r.stack()).findWarning("*", Match.anyValue())) {
      sb.append(m.getId()).append(": ").append(m.getEntry().getData()).append('\n');
    }
    Files.writeString(Path.of("/tmp/warnings.txt"), sb.toString());
  }
}
