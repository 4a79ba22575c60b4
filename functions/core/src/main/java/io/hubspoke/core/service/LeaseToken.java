package io.hubspoke.core.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.core.store.Lease;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * A pull worker's proof of its claim: the {@link Lease} a spoke would hold in memory, handed to the
 * worker as an opaque string and handed back with each heartbeat and result. Nothing in it is
 * secret but the owner, a random id only the claimant learns; every write it allows is conditional
 * on that owner and the version, like a spoke's, so a stale or altered token commits nothing.
 */
public final class LeaseToken {
  private static final int FORMAT = 1;

  private LeaseToken() {}

  public static String encode(Lease lease) {
    ArrayNode fields = Json.array();
    fields.add(FORMAT);
    fields.add(lease.incarnation());
    fields.add(lease.shard());
    fields.add(lease.owner());
    fields.add(lease.version());
    fields.add(lease.attempt());
    fields.add(lease.leaseUntil().toEpochMilli());
    fields.add(lease.startedAt().toEpochMilli());
    fields.add(lease.round());
    fields.add(lease.historyBase());
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(Json.write(fields).getBytes(StandardCharsets.UTF_8));
  }

  /** The lease on task {@code index} of {@code runId} that {@code token} names, if well formed. */
  public static Optional<Lease> decode(String token, String runId, int index) {
    try {
      JsonNode fields =
          Json.parse(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
      if (!fields.isArray() || fields.size() != 10 || fields.get(0).asInt() != FORMAT) {
        return Optional.empty();
      }
      for (int i : new int[] {1, 3}) {
        if (!fields.get(i).isTextual()) {
          return Optional.empty();
        }
      }
      for (int i : new int[] {2, 4, 5, 6, 7, 8, 9}) {
        if (!fields.get(i).canConvertToLong()) {
          return Optional.empty();
        }
      }
      return Optional.of(
          new Lease(
              runId,
              fields.get(1).textValue(),
              index,
              fields.get(2).intValue(),
              fields.get(3).textValue(),
              fields.get(4).longValue(),
              fields.get(5).intValue(),
              Instant.ofEpochMilli(fields.get(6).longValue()),
              Instant.ofEpochMilli(fields.get(7).longValue()),
              fields.get(8).intValue(),
              fields.get(9).intValue()));
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
