package io.hubspoke.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkSizeTest {
  @Test
  void smallItemsFillAChunkOfFifty() {
    assertEquals(50, ChunkStore.chunkSize(Collections.nCopies(10_000, "{\"n\":1}")));
  }

  @Test
  void oneLargeItemShrinksEveryChunkSoNoneExceeds64Kb() {
    String large = "\"" + "x".repeat(32 * 1024 - 2) + "\"";
    int size = ChunkStore.chunkSize(List.of("1", large, "2"));
    assertEquals(1, size);
    String medium = "\"" + "x".repeat(4 * 1024) + "\"";
    size = ChunkStore.chunkSize(List.of(medium));
    assertEquals(15, size);
    assertEquals(true, size * (medium.length() + 1) <= ChunkStore.MAX_CHUNK_BYTES);
  }
}
