package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.local.LocalOptions;
import io.hubspoke.local.LocalRuntime;
import io.hubspoke.local.emulator.FunctionCode;
import io.hubspoke.local.emulator.LocalFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --worker lambda} with {@code --function}: the Python example run by the CLI through the
 * local Lambda endpoint, as README "Write your own worker" shows it.
 */
class LambdaCliIT {
  static final String HANDLER =
      CliIT.examples().resolve("worker-python/handler.py").toAbsolutePath().toString();

  @Test
  void runsThePythonExampleAsALocalFunction() throws Exception {
    CliIT.Result result =
        CliIT.run(
            "",
            "run",
            CliIT.examples().resolve("worker-python/texts.json").toString(),
            "--worker",
            "lambda",
            "--worker-config",
            "{\"function\":\"wordcount\"}",
            "--function",
            "wordcount=python3 " + HANDLER,
            "--json");
    assertEquals(0, result.exit(), result.err());
    JsonNode run = Json.parse(result.out().strip());
    assertEquals("SUCCEEDED", run.get("status").asText());
    assertEquals(5, run.get("summary").get("succeeded").asInt());
    assertEquals(5, run.get("summary").get("attempts").asInt());
  }

  @Test
  void anItemTheFunctionMarksNonRetryableFailsAtOnce(@TempDir Path dir) throws Exception {
    Path items = Files.writeString(dir.resolve("items.json"), "[\"a b\", {\"text\":\"c\"}, 42]");
    CliIT.Result result =
        CliIT.run(
            "",
            "run",
            items.toString(),
            "--worker",
            "lambda",
            "--worker-config",
            "{\"function\":\"wordcount:live\"}",
            "--function",
            "wordcount:live=python3 " + HANDLER);
    assertEquals(1, result.exit(), result.err());
    assertTrue(result.out().contains("InvalidItemNonRetryable"), result.out());
    assertTrue(result.out().contains("failed          1"), result.out());
    assertTrue(result.out().contains("attempts        3"), result.out());
  }

  @Test
  void aFunctionNotGivenIsAUsageErrorNamingTheFieldAndTheFix(@TempDir Path dir) throws Exception {
    Path items = Files.writeString(dir.resolve("items.json"), "[1]");
    CliIT.Result result =
        CliIT.run(
            "",
            "run",
            items.toString(),
            "--worker",
            "lambda",
            "--worker-config",
            "{\"function\":\"resize\"}");
    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().contains("workerConfig.function"), result.err());
    assertTrue(result.err().contains("--function NAME=COMMAND"), result.err());

    CliIT.Result badSpec = CliIT.run("", "run", items.toString(), "--function", "resize", "--json");
    assertEquals(2, badSpec.exit(), badSpec.err());
    assertTrue(badSpec.err().contains("NAME=COMMAND"), badSpec.err());
  }

  /** With --api the running hub decides which functions are allowed, not this command. */
  @Test
  void submittingToARunningApiLeavesTheAllowedFunctionsToItsHub(@TempDir Path dir)
      throws Exception {
    Path items = Files.writeString(dir.resolve("items.json"), "[\"one two\"]");
    try (LocalRuntime serve =
        LocalRuntime.start(
            LocalOptions.builder()
                .sweepInterval(Duration.ZERO)
                .function(
                    LocalFunction.builder(
                            "wordcount", FunctionCode.command(List.of("python3", HANDLER)))
                        .build())
                .build())) {
      CliIT.Result result =
          CliIT.run(
              "",
              "run",
              items.toString(),
              "--api",
              serve.apiEndpoint().toString(),
              "--worker",
              "lambda",
              "--worker-config",
              "{\"function\":\"wordcount\"}",
              "--json");
      assertEquals(0, result.exit(), result.err());
      CliIT.Result refused =
          CliIT.run(
              "",
              "run",
              items.toString(),
              "--api",
              serve.apiEndpoint().toString(),
              "--worker",
              "lambda",
              "--worker-config",
              "{\"function\":\"other\"}",
              "--json");
      assertEquals(2, refused.exit(), refused.err());
      assertTrue(refused.err().contains("workerConfig.function"), refused.err());
    }
  }
}
