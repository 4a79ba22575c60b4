package io.hubspoke.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A runs page token is checked in full before it becomes a DynamoDB start key. */
class RunStoreTokenTest {
  static final String RUN = "r-0123456789abcdef01234567";

  static String token(String text) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aTokenOfTheListingDecodesToTheIndexKey() {
    String sortKey = RunItem.indexSortKey(Instant.ofEpochMilli(1_700_000_000_000L), RUN);
    assertEquals("1700000000000#" + RUN, sortKey);
    var key = RunStore.decodeToken(token("RUN#" + RUN + "|" + sortKey));
    assertEquals("RUN#" + RUN, key.get(Items.PK).s());
    assertEquals(sortKey, key.get(TableSchema.RUNS_INDEX_SORT_KEY).s());
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
    assertThrows(InvalidPageTokenException.class, () -> RunStore.decodeToken(token(text)));
  }
}
