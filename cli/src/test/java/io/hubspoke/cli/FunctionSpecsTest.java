package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.local.emulator.LocalFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FunctionSpecsTest {
  @Test
  void aCommandIsSplitAtSpacesAndTheNameMayCarryAliases() {
    LocalFunction function =
        FunctionSpecs.parse("wordcount:live:beta=python3  examples/worker-python/handler.py ");
    assertEquals("wordcount", function.name());
    assertEquals(Set.of("live", "beta"), function.aliases());
    assertEquals(LocalFunction.DEFAULT_TIMEOUT, function.timeout());
    assertEquals(0, function.reservedConcurrency());
    assertTrue(function.answersTo("live") && function.answersTo(null));
    assertEquals(
        "CommandFunctionCode", function.code().getClass().getSimpleName(), function.toString());
  }

  @Test
  void aJavaHandlerNamesItsJarAndClass(@TempDir Path dir) throws Exception {
    Path jar = Files.writeString(dir.resolve("fn.jar"), "");
    LocalFunction function = FunctionSpecs.parse("thumbs=java:" + jar + ":com.example.Thumbs");
    assertEquals("JavaHandlerFunctionCode", function.code().getClass().getSimpleName());
    UsageException missing =
        assertThrows(
            UsageException.class,
            () -> FunctionSpecs.parse("thumbs=java:" + dir.resolve("no.jar") + ":com.example.T"));
    assertTrue(missing.getMessage().contains("is not a file"), missing.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "wordcount",
        "=python3 x.py",
        "wordcount=",
        "word count=python3 x.py",
        "wordcount:7=python3 x.py",
        "wordcount=java:",
        "wordcount=java:x.jar:"
      })
  void aBadSpecIsAUsageErrorThatShowsTheForm(String spec) {
    UsageException e = assertThrows(UsageException.class, () -> FunctionSpecs.parse(spec));
    assertTrue(e.getMessage().startsWith("--function " + spec), e.getMessage());
  }

  @Test
  void twoFunctionsCannotShareAName() {
    UsageException e =
        assertThrows(
            UsageException.class, () -> FunctionSpecs.parse(List.of("a=cat", "a:live=cat")));
    assertTrue(e.getMessage().contains("two functions are named a"), e.getMessage());
  }
}
