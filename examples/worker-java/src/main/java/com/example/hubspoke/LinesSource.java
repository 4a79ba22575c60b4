package com.example.hubspoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.contract.workers.WorkerConfigs;
import io.hubspoke.worker.ItemPage;
import io.hubspoke.worker.ItemSource;
import io.hubspoke.worker.ItemSourceException;
import io.hubspoke.worker.SourceContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code lines}: one item per non-blank line of a text file ({@code {"path": "/data/urls.txt"}}),
 * {@code pageSize} (1-1000, default 1000) lines per page. The cursor is the number of the next line
 * to read, so asking for a page again returns the same lines: what resumable discovery needs.
 */
public final class LinesSource implements ItemSource {
  private static final long DEFAULT_PAGE_SIZE = ItemPage.MAX_ITEMS;

  @Override
  public String name() {
    return "lines";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    List<FieldError> errors = new ArrayList<>();
    WorkerConfigs.rejectUnknown(config, Set.of("path", "pageSize"), errors);
    JsonNode path = config.get("path");
    if (path == null || !path.isTextual() || path.textValue().isBlank()) {
      errors.add(new FieldError("path", "is required", "give the text file to read, one item per line"));
    }
    WorkerConfigs.longIn(config, "pageSize", 1, ItemPage.MAX_ITEMS, DEFAULT_PAGE_SIZE, errors);
    return errors;
  }

  @Override
  public ItemPage page(SourceContext context) {
    Path path = Path.of(context.config().path("path").textValue());
    int pageSize = (int) context.config().path("pageSize").asLong(DEFAULT_PAGE_SIZE);
    long first = context.cursor() == null ? 0 : parseCursor(context.cursor());
    List<JsonNode> items = new ArrayList<>();
    long line = 0;
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      for (String text; (text = reader.readLine()) != null; line++) {
        if (line < first || text.isBlank()) {
          continue;
        }
        if (items.size() == pageSize) {
          return new ItemPage(items, Long.toString(line));
        }
        items.add(JsonNodeFactory.instance.textNode(text.strip()));
      }
    } catch (IOException e) {
      throw new ItemSourceException("cannot read " + path + ": " + e.getMessage(), true, e);
    }
    return new ItemPage(items, null);
  }

  private static long parseCursor(String cursor) {
    try {
      return Long.parseLong(cursor);
    } catch (NumberFormatException e) {
      throw new ItemSourceException("cursor '" + cursor + "' is not a line number", false, e);
    }
  }
}
