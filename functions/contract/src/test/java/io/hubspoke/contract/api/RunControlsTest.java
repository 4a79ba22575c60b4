package io.hubspoke.contract.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.validation.InvalidInputException;
import io.hubspoke.contract.workers.BuiltInWorkers;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunControlsTest {
  private final RunRequestParser parser = new RunRequestParser(BuiltInWorkers.catalog());

  @Test
  void withoutAToleranceNothingIsToleratedAndNothingStopsTheRun() {
    assertFalse(RunControls.NONE.tolerates());
    assertFalse(RunControls.NONE.capped());
    assertFalse(RunControls.NONE.exceeded(1_000, 1_000));
    assertEquals(RunControls.NONE, parser.parse("{\"items\":[1],\"worker\":\"echo\"}").controls());
  }

  @Test
  void aToleranceIsPassedOnlyWhenTheFailuresGoBeyondIt() {
    RunControls count = new RunControls(Optional.of(3), Optional.empty(), 0);
    assertFalse(count.exceeded(3, 10));
    assertTrue(count.exceeded(4, 10));
    RunControls percent = new RunControls(Optional.empty(), Optional.of(10.0), 0);
    assertFalse(percent.exceeded(10, 100));
    assertTrue(percent.exceeded(11, 100));
    assertFalse(percent.exceeded(0, 0));
    RunControls zero = new RunControls(Optional.of(0), Optional.empty(), 0);
    assertTrue(zero.exceeded(1, 100), "a count of 0 stops the run at its first failure");
    RunControls both = new RunControls(Optional.of(50), Optional.of(1.0), 0);
    assertTrue(both.exceeded(2, 100), "either passed stops the run");
    assertTrue(both.exceededReason(2, 100).contains("2 of 100"));
  }

  @Test
  void aRequestGivesItsControlsAndTheyRoundTrip() {
    RunControls parsed =
        parser
            .parse(
                "{\"items\":[1],\"worker\":\"echo\",\"toleratedFailureCount\":5,"
                    + "\"toleratedFailurePercent\":2.5}")
            .controls();
    assertEquals(new RunControls(Optional.of(5), Optional.of(2.5), 0), parsed);
    assertEquals(parsed, RunControls.fromJson(parsed.toJson()));
    RunControls capped = new RunControls(Optional.empty(), Optional.empty(), 3);
    assertEquals(
        capped,
        parser.parse("{\"items\":[1],\"worker\":\"echo\",\"maxConcurrency\":3}").controls());
    assertTrue(capped.capped());
    assertEquals(capped, RunControls.fromJson(capped.toJson()));
    assertEquals(RunControls.NONE, RunControls.fromJson(RunControls.NONE.toJson()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "\"toleratedFailureCount\":-1|toleratedFailureCount",
        "\"toleratedFailureCount\":1.5|toleratedFailureCount",
        "\"toleratedFailurePercent\":101|toleratedFailurePercent",
        "\"toleratedFailurePercent\":\"5%\"|toleratedFailurePercent",
        "\"maxConcurrency\":0|maxConcurrency",
        "\"maxConcurrency\":1001|maxConcurrency",
      })
  void aBadControlIsRefusedNamingTheField(String field, String name) {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> parser.parse("{\"items\":[1],\"worker\":\"echo\"," + field + "}"));
    assertEquals(name, e.errors().get(0).field(), e.getMessage());
    assertTrue(!e.errors().get(0).fix().isBlank());
  }
}
