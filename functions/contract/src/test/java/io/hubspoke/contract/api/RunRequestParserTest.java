package io.hubspoke.contract.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.contract.workers.BuiltInWorkers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunRequestParserTest {
  private final RunRequestParser parser = new RunRequestParser(BuiltInWorkers.catalog());

  @Test
  void parsesAValidRequestWithDefaults() {
    RunRequest request = parser.parse("{\"items\":[1,\"two\",{\"three\":3}],\"worker\":\"echo\"}");
    assertEquals(List.of("1", "\"two\"", "{\"three\":3}"), request.itemsJson());
    assertEquals(Limits.DEFAULT_MAX_ATTEMPTS, request.maxAttempts());
    assertEquals(Limits.DEFAULT_TASK_TIMEOUT_SECONDS, request.taskTimeoutSeconds());
    assertTrue(request.idempotencyKey().isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{|body",
        "[]|body",
        "{\"worker\":\"echo\"}|items",
        "{\"items\":\"abc\",\"worker\":\"echo\"}|items",
        "{\"items\":[],\"worker\":\"echo\"}|items",
        "{\"items\":[null],\"worker\":\"echo\"}|items[0]",
        "{\"items\":[1]}|worker",
        "{\"items\":[1],\"worker\":\"nope\"}|worker",
        "{\"items\":[1],\"worker\":7}|worker",
        "{\"items\":[1],\"worker\":\"echo\",\"extra\":1}|extra",
        "{\"items\":[1],\"worker\":\"echo\",\"workerConfig\":[]}|workerConfig",
        "{\"items\":[1],\"worker\":\"sleep\",\"workerConfig\":{\"ms\":\"x\"}}|workerConfig.ms",
        "{\"items\":[1],\"worker\":\"http\",\"workerConfig\":{}}|workerConfig.url",
        "{\"items\":[1],\"worker\":\"echo\",\"maxAttempts\":0}|maxAttempts",
        "{\"items\":[1],\"worker\":\"echo\",\"maxAttempts\":1.5}|maxAttempts",
        "{\"items\":[1],\"worker\":\"echo\",\"taskTimeoutSeconds\":100000}|taskTimeoutSeconds",
        "{\"items\":[1],\"worker\":\"echo\",\"idempotencyKey\":\"has space\"}|idempotencyKey",
        "{\"items\":[1],\"worker\":\"echo\",\"idempotencyKey\":\"\"}|idempotencyKey",
      })
  void rejectsNamingTheField(String body, String field) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> parser.parse(body));
    assertEquals(field, e.errors().get(0).field(), e.getMessage());
    assertTrue(!e.errors().get(0).fix().isBlank());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"queue,QUEUE", "push,PUSH", "pull,PULL", "hybrid,HYBRID"})
  void acceptsEachDispatchByItsWireName(String wireName, Dispatch expected) {
    RunRequest request =
        parser.parse("{\"items\":[1],\"worker\":\"echo\",\"dispatch\":\"" + wireName + "\"}");
    assertEquals(expected, request.dispatch());
  }

  @Test
  void keepsMaxConcurrencyForAPushRun() {
    RunRequest request =
        parser.parse(
            "{\"items\":[1,2,3],\"worker\":\"echo\",\"dispatch\":\"push\",\"maxConcurrency\":2}");
    assertEquals(Dispatch.PUSH, request.dispatch());
    assertEquals(2, request.controls().maxConcurrency());
  }

  @Test
  void refusesPushWhereNoSpokeFunctionIsNamed() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                parser
                    .withoutPush()
                    .parse("{\"items\":[1],\"worker\":\"echo\",\"dispatch\":\"push\"}"));
    assertEquals("dispatch", e.errors().get(0).field());
    assertTrue(e.errors().get(0).message().contains("HUBSPOKE_SPOKE_FUNCTION"), e.getMessage());
    assertEquals(
        Dispatch.QUEUE,
        parser.withoutPush().parse("{\"items\":[1],\"worker\":\"echo\"}").dispatch());
  }

  @Test
  void aPullRunNamesAnyWorkAndTakesNoCap() {
    RunRequest request = parser.parse("{\"items\":[1],\"dispatch\":\"pull\"}");
    assertEquals(RunRequestParser.EXTERNAL_WORKER, request.worker());
    assertEquals(
        "resize-images",
        parser
            .parse("{\"items\":[1],\"dispatch\":\"pull\",\"worker\":\"resize-images\"}")
            .worker());
    for (String body :
        java.util.List.of(
            "{\"items\":[1],\"dispatch\":\"pull\",\"maxConcurrency\":2}",
            "{\"items\":[1],\"worker\":\"echo\",\"dispatch\":\"hybrid\",\"maxConcurrency\":2}")) {
      assertEquals(
          "maxConcurrency",
          assertThrows(InvalidInputException.class, () -> parser.parse(body))
              .errors()
              .get(0)
              .field());
    }
    assertEquals(
        "worker",
        assertThrows(
                InvalidInputException.class,
                () -> parser.parse("{\"items\":[1],\"dispatch\":\"pull\",\"worker\":\"a b\"}"))
            .errors()
            .get(0)
            .field());
  }

  @Test
  void rejectsAnUnknownDispatchNamingEveryMode() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> parser.parse("{\"items\":[1],\"worker\":\"echo\",\"dispatch\":\"Push\"}"));
    assertEquals("dispatch", e.errors().get(0).field());
    assertTrue(e.errors().get(0).fix().contains("push"), e.errors().get(0).fix());
    assertTrue(e.errors().get(0).fix().contains("queue"), e.errors().get(0).fix());
  }

  @Test
  void rejectsTooManyItemsAndOversizedItems() {
    StringBuilder many = new StringBuilder("{\"worker\":\"echo\",\"items\":[");
    for (int i = 0; i <= Limits.MAX_ITEMS; i++) {
      many.append(i == 0 ? "" : ",").append(i);
    }
    many.append("]}");
    assertEquals(
        "items",
        assertThrows(InvalidInputException.class, () -> parser.parse(many.toString()))
            .errors()
            .get(0)
            .field());
    String big = "\"" + "x".repeat(Limits.MAX_ITEM_BYTES) + "\"";
    assertEquals(
        "items[1]",
        assertThrows(
                InvalidInputException.class,
                () -> parser.parse("{\"worker\":\"echo\",\"items\":[1," + big + "]}"))
            .errors()
            .get(0)
            .field());
    String key = "k".repeat(Limits.MAX_IDEMPOTENCY_KEY_LENGTH + 1);
    assertEquals(
        "idempotencyKey",
        assertThrows(
                InvalidInputException.class,
                () ->
                    parser.parse(
                        "{\"worker\":\"echo\",\"items\":[1],\"idempotencyKey\":\"" + key + "\"}"))
            .errors()
            .get(0)
            .field());
  }

  @Test
  void reportsEveryProblemAtOnce() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> parser.parse("{\"items\":[],\"worker\":\"nope\",\"maxAttempts\":99}"));
    assertEquals(3, e.errors().size());
  }

  @Test
  void rejectsAByteOrderMark() {
    assertEquals(
        "body",
        assertThrows(
                InvalidInputException.class,
                () -> parser.parse("\uFEFF{\"items\":[1],\"worker\":\"echo\"}"))
            .errors()
            .get(0)
            .field());
  }

  @Test
  void aTaskTimeoutMustFitTheSpokesTimeoutAndTheDefaultShrinksToFit() {
    RunRequestParser withSpoke = new RunRequestParser(BuiltInWorkers.catalog(), 60, 10);
    assertEquals(
        58,
        withSpoke
            .parse("{\"items\":[1],\"worker\":\"echo\",\"taskTimeoutSeconds\":58}")
            .taskTimeoutSeconds());
    assertEquals(58, withSpoke.parse("{\"items\":[1],\"worker\":\"echo\"}").taskTimeoutSeconds());
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> withSpoke.parse("{\"items\":[1],\"worker\":\"echo\",\"taskTimeoutSeconds\":59}"));
    assertEquals(1, e.errors().size(), e.getMessage());
    FieldError error = e.errors().get(0);
    assertEquals("taskTimeoutSeconds", error.field());
    assertEquals(
        "is 59, but the spoke's 60 s timeout, less 2 s kept to record the outcome, leaves a task"
            + " at most 58 s",
        error.message());
    assertTrue(error.fix().startsWith("give at most 58, or deploy the spoke"), error.fix());
  }

  @Test
  void aTaskTimeoutMustLeaveALeaseThatADelayedMessageCanReachPast() {
    // A 900 s spoke with 100 s of lease grace: the spoke could give 898 s, a delay only 799.
    RunRequestParser parser = new RunRequestParser(BuiltInWorkers.catalog(), 900, 100);
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> parser.parse("{\"items\":[1],\"worker\":\"echo\",\"taskTimeoutSeconds\":800}"));
    assertTrue(
        e.errors().get(0).message().contains("SQS's longest delay of 900 s"), e.getMessage());
    assertEquals(
        799,
        parser
            .parse("{\"items\":[1],\"worker\":\"echo\",\"taskTimeoutSeconds\":799}")
            .taskTimeoutSeconds());
  }
}
