package io.hubspoke.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.hubspoke.contract.api.Limits;
import io.hubspoke.contract.api.RunSource;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.Sharding;
import io.hubspoke.core.store.RunRecord;
import io.hubspoke.worker.ItemPage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules a discovered page must keep, at their limits. */
class DiscoveryRulesTest {
  static RunSpec discovered(int total) {
    Instant now = Instant.parse("2026-11-30T00:00:00Z");
    return RunSpec.builder()
        .runId("r-0123456789abcdef01234567")
        .incarnation("0123456789ab")
        .worker("echo")
        .workerConfig(Json.object())
        .maxAttempts(3)
        .taskTimeoutSeconds(60)
        .total(total)
        .shardCount(Sharding.ceilDiv(total, Sharding.MAX_TASKS_PER_SHARD))
        .chunkSize(50)
        .createdAt(now)
        .expiresAt(now.plusSeconds(86_400))
        .discovery(new RunSpec.Discovery(new RunSource.Range(0, 10, 1), List.of(), false))
        .build();
  }

  static RunRecord.DiscoveryProgress atPage(int pages) {
    return new RunRecord.DiscoveryProgress("c", pages, 1, "o", null, null, null, null, null);
  }

  static ItemPage page(int items, String cursor) {
    List<JsonNode> list = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      list.add(Json.object().put("i", i));
    }
    return new ItemPage(list, cursor);
  }

  @Test
  void aRunTakesUpToTheDiscoveredItemsLimitAndNotOneMore() {
    int limit = Limits.MAX_DISCOVERED_ITEMS;
    assertEquals(
        Optional.empty(),
        RunDiscovery.brokenRule(page(1000, null), discovered(limit - 1000), atPage(99)));
    Optional<String> over =
        RunDiscovery.brokenRule(page(1000, "n"), discovered(limit - 999), atPage(99));
    assertTrue(over.orElseThrow().contains("more than 100000 items"), over.toString());
  }

  @Test
  void anItemAtTheSizeLimitIsTakenAndOneByteMoreIsNot() {
    // A JSON string of n characters serializes to n + 2 bytes.
    JsonNode largest = TextNode.valueOf("x".repeat(Limits.MAX_ITEM_BYTES - 2));
    JsonNode tooLarge = TextNode.valueOf("x".repeat(Limits.MAX_ITEM_BYTES - 1));
    assertEquals(
        Optional.empty(),
        RunDiscovery.brokenRule(new ItemPage(List.of(largest), null), discovered(0), atPage(0)));
    Optional<String> broken =
        RunDiscovery.brokenRule(new ItemPage(List.of(tooLarge), null), discovered(0), atPage(0));
    assertTrue(broken.orElseThrow().startsWith("page 1 item 0 is 32769 bytes"), broken.toString());
    Optional<String> nullItem =
        RunDiscovery.brokenRule(
            new ItemPage(List.of(Json.object(), NullNode.getInstance()), null),
            discovered(0),
            atPage(4));
    assertEquals(Optional.of("page 5 item 1 is null: give any JSON but null"), nullItem);
  }

  @Test
  void aSourceThatNeverEndsIsStoppedAtThePageLimit() {
    assertEquals(
        Optional.empty(),
        RunDiscovery.brokenRule(
            page(0, "again"), discovered(0), atPage(RunDiscovery.MAX_PAGES - 1)));
    Optional<String> endless =
        RunDiscovery.brokenRule(page(0, "again"), discovered(0), atPage(RunDiscovery.MAX_PAGES));
    assertTrue(endless.orElseThrow().contains("without a last one"), endless.toString());
    // Its last page is still taken.
    assertEquals(
        Optional.empty(),
        RunDiscovery.brokenRule(page(0, null), discovered(0), atPage(RunDiscovery.MAX_PAGES)));
  }
}
