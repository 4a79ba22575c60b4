package io.hubspoke.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.contract.TableSchema;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A page token names where its listing resumes, and is checked in full before it becomes a DynamoDB
 * start key: anything a listing did not make is refused with the one error the API turns into its
 * 400.
 */
class PageTokensTest {
  static final String RUN = "r-0123456789abcdef01234567";
  static final String OTHER_RUN = "r-ffffffffffffffffffffffff";

  static String token(String text) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static void assertRefused(Executable decode) {
    InvalidPageTokenException refused = assertThrows(InvalidPageTokenException.class, decode);
    assertEquals("malformed page token", refused.getMessage());
  }

  static PageTokens.RunPosition aRunPosition() {
    return new PageTokens.RunPosition(
        "RUN#" + RUN, RunItem.indexSortKey(Instant.ofEpochMilli(1_700_000_000_000L), RUN));
  }

  @Test
  void aTaskTokenRoundTrips() {
    for (PageTokens.TaskPosition position :
        new PageTokens.TaskPosition[] {
          new PageTokens.TaskPosition(0, ""),
          new PageTokens.TaskPosition(0, TaskItem.sortKey(0)),
          new PageTokens.TaskPosition(41, TaskItem.sortKey(12_345_678))
        }) {
      String token = PageTokens.encode(position);
      assertTrue(token.matches("[A-Za-z0-9_-]+"), "unpadded base64url, safe in a query: " + token);
      assertEquals(position, PageTokens.taskPosition(token));
    }
    assertEquals(
        "MXxUIzAwMDAwMDA3", PageTokens.encode(new PageTokens.TaskPosition(1, "T#00000007")));
  }

  @Test
  void aTokenOfTheListingDecodesToTheIndexKey() {
    String sortKey = RunItem.indexSortKey(Instant.ofEpochMilli(1_700_000_000_000L), RUN);
    assertEquals("1700000000000#" + RUN, sortKey);
    var key = RunItem.indexKey(PageTokens.runPosition(token("RUN#" + RUN + "|" + sortKey)));
    assertEquals("RUN#" + RUN, key.get(Items.PK).s());
    assertEquals(sortKey, key.get(TableSchema.RUNS_INDEX_SORT_KEY).s());
  }

  @Test
  void aRunTokenRoundTrips() {
    String token = PageTokens.encode(aRunPosition());
    assertTrue(token.matches("[A-Za-z0-9_-]+"), "unpadded base64url, safe in a query: " + token);
    assertEquals(aRunPosition(), PageTokens.runPosition(token));
    assertEquals(token("RUN#" + RUN + "|1700000000000#" + RUN), token);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "RUN#r-0123456789abcdef01234567|",
        "RUN#r-0123456789abcdef01234567|1700000000000#r-ffffffffffffffffffffffff",
        "RUN#x|1700000000000#x",
        "RUN#r-0123456789abcdef01234567|17#r-0123456789abcdef01234567",
        "0|T#00000001",
        "hello"
      })
  void anEditedOrForeignTokenIsRefused(String text) {
    assertRefused(() -> PageTokens.runPosition(token(text)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-1|",
        "0|RUN",
        "x|T#00000001",
        "|T#00000001",
        "0|T#00000001|T#00000002",
        "0",
        "RUN#r-0123456789abcdef01234567|1700000000000#r-0123456789abcdef01234567",
        "hello",
        ""
      })
  void anEditedOrForeignTaskTokenIsRefused(String text) {
    assertRefused(() -> PageTokens.taskPosition(token(text)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"not*a*token", "not a token", "YWJj=", "a", "%2F%2F", "€"})
  void aTokenThatIsNotBase64urlIsRefusedByBothListings(String garbage) {
    assertRefused(() -> PageTokens.taskPosition(garbage));
    assertRefused(() -> PageTokens.runPosition(garbage));
  }

  @Test
  void aTokenOfOneListingIsRefusedByTheOther() {
    assertRefused(() -> PageTokens.taskPosition(PageTokens.encode(aRunPosition())));
    assertRefused(
        () ->
            PageTokens.runPosition(
                PageTokens.encode(new PageTokens.TaskPosition(0, TaskItem.sortKey(3)))));
  }

  @Test
  void aTruncatedRunTokenIsRefusedAtEveryLength() {
    String token = PageTokens.encode(aRunPosition());
    for (int length = 0; length < token.length(); length++) {
      String truncated = token.substring(0, length);
      assertRefused(() -> PageTokens.runPosition(truncated));
    }
  }

  /**
   * A task token carries no checksum: cut inside its sort key, it still names a task position (an
   * earlier one), as it always has. Cut before its sort key, or inside a base64 quantum, it is
   * refused.
   */
  @Test
  void aTaskTokenCutBeforeItsSortKeyOrMidCharacterIsRefused() {
    String token = PageTokens.encode(new PageTokens.TaskPosition(12, TaskItem.sortKey(1_234)));
    assertEquals("MTJ8VCMwMDAwMTIzNA", token); // "12|T#00001234"
    assertRefused(() -> PageTokens.taskPosition(token.substring(0, 2))); // "1": no separator
    assertRefused(() -> PageTokens.taskPosition(token.substring(0, 6))); // "12|T": not a task
    assertRefused(() -> PageTokens.taskPosition(token.substring(0, 1))); // not a whole byte
    assertRefused(() -> PageTokens.taskPosition(token.substring(0, 5))); // not a whole byte
  }
}
