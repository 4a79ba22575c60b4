package io.hubspoke.contract.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerFunctionsTest {
  private static final List<LambdaFunctionName> ENTRIES =
      List.of(
          LambdaFunctionName.parse("resize"),
          LambdaFunctionName.parse("arn:aws:lambda:eu-west-1:123456789012:function:thumbs:live"));

  @Test
  void ofParsedEntriesAllowsWhatTheSameListParsedAllows() {
    WorkerFunctions of = WorkerFunctions.of(ENTRIES);
    WorkerFunctions parsed =
        WorkerFunctions.parse(
            "resize,arn:aws:lambda:eu-west-1:123456789012:function:thumbs:live", null);
    assertEquals(ENTRIES, of.entries());
    assertEquals(parsed.toString(), of.toString());
    for (String requested :
        List.of(
            "resize",
            "resize:live",
            "arn:aws:lambda:us-east-2:123456789012:function:resize",
            "thumbs:live",
            "123456789012:function:thumbs:live",
            "thumbs",
            "thumbs:v2",
            "arn:aws:lambda:us-east-2:123456789012:function:thumbs:live",
            "other")) {
      LambdaFunctionName name = LambdaFunctionName.parse(requested);
      assertEquals(parsed.allows(name), of.allows(name), requested);
    }
    assertTrue(of.allows(LambdaFunctionName.parse("thumbs:live")));
    assertFalse(of.allows(LambdaFunctionName.parse("thumbs")), "the entry names an alias");
    assertFalse(
        of.allows(
            LambdaFunctionName.parse("arn:aws:lambda:us-east-2:123456789012:function:thumbs:live")),
        "the entry names its region");
  }

  @Test
  void ofKeepsItsOwnCopyOfTheEntries() {
    List<LambdaFunctionName> entries = new ArrayList<>(ENTRIES);
    WorkerFunctions of = WorkerFunctions.of(entries);
    entries.clear();
    assertEquals(2, of.entries().size());
    assertThrows(UnsupportedOperationException.class, () -> of.entries().clear());
  }

  @Test
  void ofNoEntriesAllowsNothing() {
    WorkerFunctions of = WorkerFunctions.of(List.of());
    assertTrue(of.isEmpty());
    assertFalse(of.allows(LambdaFunctionName.parse("resize")));
    assertEquals("", of.toString());
  }
}
