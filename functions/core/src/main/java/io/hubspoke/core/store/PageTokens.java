package io.hubspoke.core.store;

import io.hubspoke.core.model.RunIds;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.BiFunction;
import java.util.regex.Matcher;

/**
 * The {@code nextToken} of both listings, a run's tasks ({@link TaskStore#listTasks}) and the runs
 * ({@link RunStore#list}): the position after a page's last element, two fields joined by {@code |}
 * in unpadded base64url, opaque to clients. A token is checked in full before it becomes a DynamoDB
 * start key, so an edited, truncated or foreign one is refused as bad input ({@link
 * InvalidPageTokenException}) rather than passed to DynamoDB, which rejects a malformed start key
 * with a validation error.
 */
final class PageTokens {
  private static final String MALFORMED = "malformed page token";

  /**
   * Where a run's task listing resumes: after the task {@code sortKey} of {@code shard}, or at the
   * shard's first task if the sort key is empty.
   */
  record TaskPosition(int shard, String sortKey) {}

  /**
   * Where the runs listing resumes: after the run {@code runPk}, at {@code sortKey} of the index.
   */
  record RunPosition(String runPk, String sortKey) {}

  private PageTokens() {}

  static String encode(TaskPosition position) {
    return encode(Integer.toString(position.shard()), position.sortKey());
  }

  static String encode(RunPosition position) {
    return encode(position.runPk(), position.sortKey());
  }

  /**
   * @throws InvalidPageTokenException if the token was not made by the task listing
   */
  static TaskPosition taskPosition(String token) {
    return decode(
        token,
        (shardField, sortKey) -> {
          int shard = Integer.parseInt(shardField);
          if (shard < 0 || !(sortKey.isEmpty() || sortKey.startsWith(TaskItem.SK_PREFIX))) {
            throw new IllegalArgumentException(MALFORMED);
          }
          return new TaskPosition(shard, sortKey);
        });
  }

  /**
   * @throws InvalidPageTokenException if the token was not made by the runs listing
   */
  static RunPosition runPosition(String token) {
    return decode(
        token,
        (runPk, sortKey) -> {
          Matcher runId = RunItem.INDEX_SORT_KEY.matcher(sortKey);
          if (!runId.matches()
              || !RunIds.isValid(runId.group(1))
              || !runPk.equals(Items.runPk(runId.group(1)))) {
            throw new IllegalArgumentException(MALFORMED);
          }
          return new RunPosition(runPk, sortKey);
        });
  }

  private static String encode(String first, String second) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((first + "|" + second).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @param position makes the position of the token's two fields; throws if they are not one
   */
  private static <T> T decode(String token, BiFunction<String, String, T> position) {
    try {
      String[] fields =
          new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split("\\|", -1);
      if (fields.length != 2) {
        throw new IllegalArgumentException(MALFORMED);
      }
      return position.apply(fields[0], fields[1]);
    } catch (RuntimeException e) {
      throw new InvalidPageTokenException(e);
    }
  }
}
