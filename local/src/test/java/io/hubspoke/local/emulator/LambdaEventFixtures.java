package io.hubspoke.local.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The event JSON under {@code src/test/resources/lambda-events/}: events as AWS documents them, for
 * one request or batch of ours, that the emulators' mappings are checked against.
 */
final class LambdaEventFixtures {
  private LambdaEventFixtures() {}

  static JsonNode read(String name) {
    try (InputStream in = LambdaEventFixtures.class.getResourceAsStream("/lambda-events/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture lambda-events/" + name);
      }
      return Json.parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
