package io.hubspoke.contract.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.contract.workers.BuiltInWorkers;
import io.hubspoke.contract.workers.WorkerCatalog;
import io.hubspoke.contract.workers.WorkerConfigSchema;
import io.hubspoke.contract.workers.WorkerFunctions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A run request that names a {@code source}: the hub discovers its items. */
class RunSourceParsingTest {
  /** A plug-in source {@code lines} that requires {@code path}. */
  static final WorkerConfigSchema LINES =
      new WorkerConfigSchema() {
        @Override
        public String name() {
          return "lines";
        }

        @Override
        public List<FieldError> validateConfig(JsonNode config) {
          return config.path("path").isTextual()
              ? List.of()
              : List.of(new FieldError("path", "is required", "give the file's path"));
        }
      };

  static final WorkerCatalog BUILT_IN =
      BuiltInWorkers.catalog(WorkerFunctions.parse("lister", "eu-west-1"));

  static final WorkerCatalog WITH_LINES =
      new WorkerCatalog() {
        @Override
        public Optional<? extends WorkerConfigSchema> find(String name) {
          return BUILT_IN.find(name);
        }

        @Override
        public List<String> names() {
          return BUILT_IN.names();
        }

        @Override
        public Optional<? extends WorkerConfigSchema> findSource(String name) {
          return name.equals("lines") ? Optional.of(LINES) : Optional.empty();
        }

        @Override
        public List<String> sourceNames() {
          return List.of("lines");
        }
      };

  private final RunRequestParser parser = new RunRequestParser(WITH_LINES);

  @Test
  void aRangeTakesItsDefaultsAndCountsItsItems() {
    RunRequest request =
        parser.parse("{\"source\":{\"type\":\"range\",\"end\":10},\"worker\":\"echo\"}");
    assertTrue(request.discovers());
    assertTrue(request.itemsJson().isEmpty());
    RunSource.Range range = (RunSource.Range) request.source().orElseThrow();
    assertEquals(new RunSource.Range(0, 10, 1), range);
    assertEquals(10, range.count());
    assertEquals(4, new RunSource.Range(0, 10, 3).count()); // 0 3 6 9
    assertEquals(
        "{\"type\":\"range\",\"start\":0,\"end\":10,\"step\":1}", Json.write(range.toJson()));
  }

  @Test
  void aPluginSourceIsFoundByNameAndItsConfigChecked() {
    RunRequest request =
        parser.parse(
            "{\"source\":{\"type\":\"worker\",\"name\":\"lines\",\"config\":{\"path\":\"a.txt\"}},"
                + "\"worker\":\"echo\"}");
    RunSource.Plugin plugin = (RunSource.Plugin) request.source().orElseThrow();
    assertEquals("lines", plugin.name());
    assertEquals("a.txt", plugin.config().get("path").asText());

    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                parser.parse(
                    "{\"source\":{\"type\":\"worker\",\"name\":\"lines\"},\"worker\":\"echo\"}"));
    assertEquals("source.config.path", e.errors().get(0).field());
  }

  @Test
  void aLambdaSourceMustNameAnAllowedFunction() {
    RunRequest request =
        parser.parse(
            "{\"source\":{\"type\":\"lambda\",\"function\":\"lister\"},\"worker\":\"echo\"}");
    assertEquals("lister", ((RunSource.Lambda) request.source().orElseThrow()).function());

    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                parser.parse(
                    "{\"source\":{\"type\":\"lambda\",\"function\":\"other\"},"
                        + "\"worker\":\"echo\"}"));
    assertEquals("source.function", e.errors().get(0).field());
    assertTrue(e.getMessage().contains("allows lister"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"items\":[1],\"source\":{\"type\":\"range\",\"end\":3},\"worker\":\"echo\"}|source",
        "{\"source\":[],\"worker\":\"echo\"}|source",
        "{\"source\":{},\"worker\":\"echo\"}|source.type",
        "{\"source\":{\"type\":\"ftp\"},\"worker\":\"echo\"}|source.type",
        "{\"source\":{\"type\":\"range\"},\"worker\":\"echo\"}|source.end",
        "{\"source\":{\"type\":\"range\",\"end\":\"9\"},\"worker\":\"echo\"}|source.end",
        "{\"source\":{\"type\":\"range\",\"start\":5,\"end\":5},\"worker\":\"echo\"}|source.end",
        "{\"source\":{\"type\":\"range\",\"end\":5,\"step\":0},\"worker\":\"echo\"}|source.step",
        "{\"source\":{\"type\":\"range\",\"end\":5,\"stop\":1},\"worker\":\"echo\"}|source.stop",
        "{\"source\":{\"type\":\"range\",\"end\":100001},\"worker\":\"echo\"}|source",
        "{\"source\":{\"type\":\"worker\"},\"worker\":\"echo\"}|source.name",
        "{\"source\":{\"type\":\"worker\",\"name\":\"nope\"},\"worker\":\"echo\"}|source.name",
        "{\"source\":{\"type\":\"worker\",\"name\":\"lines\",\"config\":3},\"worker\":\"echo\"}|source.config",
        "{\"source\":{\"type\":\"lambda\"},\"worker\":\"echo\"}|source.function",
        "{\"source\":{\"type\":\"lambda\",\"function\":\"a b\"},\"worker\":\"echo\"}|source.function",
        "{\"source\":{\"type\":\"range\",\"end\":3}}|worker",
      })
  void rejectsNamingTheField(String body, String field) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> parser.parse(body));
    assertEquals(field, e.errors().get(0).field(), e.getMessage());
    assertFalse(e.errors().get(0).fix().isBlank());
  }

  @Test
  void theLargestRangeIsAccepted() {
    RunRequest request =
        parser.parse(
            "{\"source\":{\"type\":\"range\",\"start\":-5,\"end\":"
                + (Limits.MAX_DISCOVERED_ITEMS * 2 - 5)
                + ",\"step\":2},\"worker\":\"echo\"}");
    assertEquals(
        Limits.MAX_DISCOVERED_ITEMS, ((RunSource.Range) request.source().orElseThrow()).count());
  }

  @Test
  void withoutPluginSourcesTheErrorSaysHowToAddOne() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                new RunRequestParser(BuiltInWorkers.catalog())
                    .parse(
                        "{\"source\":{\"type\":\"worker\",\"name\":\"x\"},\"worker\":\"echo\"}"));
    assertTrue(e.errors().get(0).fix().contains("META-INF/services"), e.getMessage());
  }
}
