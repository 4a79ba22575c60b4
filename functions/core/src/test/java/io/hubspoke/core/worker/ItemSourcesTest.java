package io.hubspoke.core.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.api.RunSource;
import io.hubspoke.contract.json.Json;
import io.hubspoke.worker.ItemPage;
import io.hubspoke.worker.ItemSourceException;
import io.hubspoke.worker.SourceContext;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in sources: the range, and the reading of a source function's answer. */
class ItemSourcesTest {
  static SourceContext at(String cursor) {
    return new SourceContext(
        "r-0123456789abcdef01234567",
        Json.object(),
        cursor,
        Instant.now().plusSeconds(10),
        Clock.systemUTC());
  }

  @Test
  void aRangePagesItsNumbersAndEndsWithANullCursor() {
    RangeSource range =
        (RangeSource) WorkerRegistry.builtIn().source(new RunSource.Range(5, 2_010, 2));
    ItemPage first = range.page(at(null));
    assertEquals(1000, first.items().size());
    assertEquals(5, first.items().get(0).asLong());
    assertEquals(5 + 999 * 2, first.items().get(999).asLong());
    assertEquals("1000", first.nextCursor());
    ItemPage last = range.page(at(first.nextCursor()));
    assertEquals(3, last.items().size()); // 1003 numbers in all
    assertEquals(2_009, last.items().get(2).asLong());
    assertTrue(last.isLast());
    // The same cursor gives the same page.
    assertEquals(first, range.page(at(null)));
    assertThrows(ItemSourceException.class, () -> range.page(at("x")));
  }

  @Test
  void aSourceFunctionsAnswerIsItemsAndACursor() {
    ItemPage page =
        LambdaItemSource.page(
            "lister", Json.parseTrusted("{\"items\":[1,{\"a\":2}],\"cursor\":\"next\"}"));
    assertEquals(2, page.items().size());
    assertEquals("next", page.nextCursor());
    assertNull(LambdaItemSource.page("lister", Json.parseTrusted("{\"items\":[]}")).nextCursor());
    assertTrue(
        LambdaItemSource.page("lister", Json.parseTrusted("{\"items\":[],\"cursor\":null}"))
            .isLast());
    for (String wrong :
        List.of("[1,2]", "{\"cursor\":\"x\"}", "{\"items\":[],\"cursor\":3}", "null")) {
      ItemSourceException e =
          assertThrows(
              ItemSourceException.class,
              () -> LambdaItemSource.page("lister", Json.parseTrusted(wrong)),
              wrong);
      assertFalse(e.retryable(), wrong);
      assertTrue(e.getMessage().contains("lister"), e.getMessage());
    }
  }

  @Test
  void aPageRefusesMoreThanAThousandItemsANullItemAndALongCursor() {
    List<com.fasterxml.jackson.databind.JsonNode> many = new java.util.ArrayList<>();
    for (int i = 0; i <= ItemPage.MAX_ITEMS; i++) {
      many.add(Json.object());
    }
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new ItemPage(many, null))
            .getMessage()
            .contains("at most 1000 items"));
    List<com.fasterxml.jackson.databind.JsonNode> withNull = new java.util.ArrayList<>();
    withNull.add(Json.object());
    withNull.add(null);
    assertEquals(
        "item 1 is null: give a JSON value (a JSON null is refused too)",
        assertThrows(IllegalArgumentException.class, () -> new ItemPage(withNull, null))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new ItemPage(List.of(), "c".repeat(ItemPage.MAX_CURSOR_CHARS + 1)));
  }

  @Test
  void aPluginSourceIsFoundByNameOrTheErrorSaysHowToInstallIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WorkerRegistry.builtIn().source(new RunSource.Plugin("lines", Json.object())));
    assertTrue(e.getMessage().contains("hubspoke:workerJars"), e.getMessage());
  }
}
