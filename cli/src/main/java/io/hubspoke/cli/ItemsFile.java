package io.hubspoke.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.hubspoke.contract.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads work items: a JSON array, or JSON Lines (one JSON value per line). */
final class ItemsFile {
  /** A problem with the items file, reported as a usage error (exit code 2). */
  static final class ItemsFileException extends Exception {
    ItemsFileException(String message) {
      super(message);
    }
  }

  private ItemsFile() {}

  /**
   * @param source a path, or {@code -} for standard input
   */
  static ArrayNode read(String source, InputStream stdin) throws ItemsFileException {
    byte[] bytes;
    try {
      bytes = source.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(source));
    } catch (NoSuchFileException e) {
      throw new ItemsFileException("ITEMS_FILE: no such file: " + source);
    } catch (IOException e) {
      throw new ItemsFileException("ITEMS_FILE: cannot read " + source + ": " + e.getMessage());
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ItemsFileException("ITEMS_FILE: " + source + " is not UTF-8 text");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      throw new ItemsFileException(
          "ITEMS_FILE: " + source + " is empty; give a JSON array or JSON Lines");
    }
    ArrayNode items;
    if (trimmed.startsWith("[")) {
      JsonNode node;
      try {
        node = Json.parse(trimmed);
      } catch (JsonProcessingException e) {
        throw new ItemsFileException(
            "ITEMS_FILE: " + source + " is not valid JSON: " + e.getOriginalMessage());
      }
      items = (ArrayNode) node;
    } else {
      items = Json.array();
      String[] lines = text.split("\r?\n", -1);
      for (int i = 0; i < lines.length; i++) {
        if (lines[i].isBlank()) {
          continue;
        }
        try {
          items.add(Json.parse(lines[i]));
        } catch (JsonProcessingException e) {
          throw new ItemsFileException(
              "ITEMS_FILE: line "
                  + (i + 1)
                  + " of "
                  + source
                  + " is not JSON: "
                  + e.getOriginalMessage()
                  + " (give a JSON array or one JSON value per line)");
        }
      }
    }
    if (items.isEmpty()) {
      throw new ItemsFileException("ITEMS_FILE: " + source + " holds no items; give at least one");
    }
    return items;
  }
}
