package io.hubspoke.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One page of discovered items and the cursor of the next page ({@code null} after the last). */
public record ItemPage(List<JsonNode> items, String nextCursor) {
  /** The most items one page may hold. */
  public static final int MAX_ITEMS = 1000;

  /** The longest cursor, in characters: it is stored with the run. */
  public static final int MAX_CURSOR_CHARS = 1024;

  public ItemPage {
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) == null) {
        throw new IllegalArgumentException(
            "item " + i + " is null: give a JSON value (a JSON null is refused too)");
      }
    }
    items = List.copyOf(items);
    if (items.size() > MAX_ITEMS) {
      throw new IllegalArgumentException(
          "a page holds at most " + MAX_ITEMS + " items, not " + items.size());
    }
    if (nextCursor != null && nextCursor.length() > MAX_CURSOR_CHARS) {
      throw new IllegalArgumentException(
          "a cursor is at most " + MAX_CURSOR_CHARS + " characters, not " + nextCursor.length());
    }
  }

  public boolean isLast() {
    return nextCursor == null;
  }
}
