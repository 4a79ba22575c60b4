package io.hubspoke.contract.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.HubspokeEnvironment;
import io.hubspoke.contract.api.RunRequestParser;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.validation.InvalidInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LambdaWorkerConfigTest {
  private static final WorkerFunctions ALLOWED =
      WorkerFunctions.parse(
          " resize , arn:aws:lambda:eu-west-1:123456789012:function:thumbs:live ,", "eu-west-1");

  private static List<FieldError> validate(WorkerFunctions allowed, String config)
      throws Exception {
    return LambdaWorkerConfig.allowing(allowed).validateConfig(Json.parse(config));
  }

  @Test
  void acceptsAnAllowedFunctionInAnyOfItsSpellings() throws Exception {
    assertEquals(List.of(), validate(ALLOWED, "{\"function\":\"resize\"}"));
    assertEquals(List.of(), validate(ALLOWED, "{\"function\":\"resize:live\"}"));
    assertEquals(List.of(), validate(ALLOWED, "{\"function\":\"thumbs:live\"}"));
    assertEquals(
        List.of(), validate(ALLOWED, "{\"function\":\"123456789012:function:thumbs:live\"}"));
  }

  @Test
  void refusesAFunctionNotAllowedNamingTheFieldTheListAndTheFix() throws Exception {
    List<FieldError> errors = validate(ALLOWED, "{\"function\":\"thumbs\"}");
    assertEquals(1, errors.size());
    assertEquals("function", errors.get(0).field());
    assertTrue(errors.get(0).message().contains("resize,arn:aws:lambda"), errors.toString());
    assertTrue(errors.get(0).fix().contains("hubspoke:workerFunctions"), errors.toString());

    List<FieldError> none = validate(WorkerFunctions.none(), "{\"function\":\"resize\"}");
    assertTrue(none.get(0).message().contains("it allows none"), none.toString());
  }

  @Test
  void refusesAMissingMalformedOrUnknownSetting() throws Exception {
    assertEquals("function", validate(ALLOWED, "{}").get(0).field());
    assertEquals("function", validate(ALLOWED, "{\"function\":7}").get(0).field());
    FieldError malformed = validate(ALLOWED, "{\"function\":\"has space\"}").get(0);
    assertTrue(
        malformed.message().contains("not a Lambda function name or ARN"), malformed.toString());
    assertEquals("url", validate(ALLOWED, "{\"function\":\"resize\",\"url\":1}").get(0).field());
  }

  @Test
  void theHubsParserNamesWorkerConfigFunction() {
    RunRequestParser parser = new RunRequestParser(BuiltInWorkers.catalog(ALLOWED));
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                parser.parse(
                    "{\"items\":[1],\"worker\":\"lambda\",\"workerConfig\":{\"function\":\"other\"}}"));
    assertEquals("workerConfig.function", e.errors().get(0).field());
    assertTrue(LambdaWorkerConfig.isNotAllowed(e.errors().get(0)));
    InvalidInputException malformed =
        assertThrows(
            InvalidInputException.class,
            () ->
                parser.parse(
                    "{\"items\":[1],\"worker\":\"lambda\",\"workerConfig\":{\"function\":\"a b\"}}"));
    assertTrue(!LambdaWorkerConfig.isNotAllowed(malformed.errors().get(0)));
    parser.parse(
        "{\"items\":[1],\"worker\":\"lambda\",\"workerConfig\":{\"function\":\"resize\"}}");
  }

  /** A lambda source's function follows the worker's rules, reported under source.function. */
  @Test
  void aSourceFunctionNotAllowedIsRecognisedUnderSourceFunction() {
    RunRequestParser parser = new RunRequestParser(BuiltInWorkers.catalog(ALLOWED));
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                parser.parse(
                    "{\"source\":{\"type\":\"lambda\",\"function\":\"lister\"},\"worker\":\"echo\"}"));
    assertEquals(1, e.errors().size(), e.errors().toString());
    assertEquals("source.function", e.errors().get(0).field());
    assertTrue(LambdaWorkerConfig.isNotAllowed(e.errors().get(0)), e.errors().toString());

    InvalidInputException malformed =
        assertThrows(
            InvalidInputException.class,
            () ->
                parser.parse(
                    "{\"source\":{\"type\":\"lambda\",\"function\":\"a b\"},\"worker\":\"echo\"}"));
    assertEquals("source.function", malformed.errors().get(0).field());
    assertTrue(!LambdaWorkerConfig.isNotAllowed(malformed.errors().get(0)));
    // The same words under another field are not a function the deployment decides on.
    FieldError elsewhere = e.errors().get(0);
    assertTrue(
        !LambdaWorkerConfig.isNotAllowed(
            new FieldError("source.config.function", elsewhere.message(), elsewhere.fix())));
    parser.parse("{\"source\":{\"type\":\"lambda\",\"function\":\"resize\"},\"worker\":\"echo\"}");
  }

  @Test
  void aBadListStopsTheFunctionNamingTheVariableAndTheEntry() {
    var env =
        new HubspokeEnvironment(Map.of(HubspokeEnvironment.WORKER_FUNCTIONS, "resize,bad name"));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> WorkerFunctions.fromEnvironment(env));
    assertTrue(
        e.getMessage().contains(HubspokeEnvironment.WORKER_FUNCTIONS)
            && e.getMessage().contains("'bad name'"),
        e.getMessage());
    assertTrue(WorkerFunctions.fromEnvironment(new HubspokeEnvironment(Map.of())).isEmpty());
  }

  @Test
  void theLimitIsLambdasSixMegabytes() {
    assertEquals(6_291_456, LambdaWorkerConfig.MAX_PAYLOAD_BYTES);
  }
}
