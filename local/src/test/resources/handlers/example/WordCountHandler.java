package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** A Java worker function: counts the words of the task's item. */
public class WordCountHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  /** Per execution environment, as an instance field lives on Lambda. */
  private int invocations;

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    invocations++;
    String item = String.valueOf(event.get("item"));
    if (item.equals("fail")) {
      throw new IllegalStateException("cannot count 'fail'");
    }
    if (item.equals("bad")) {
      throw new BadItemNonRetryable("item 'bad' is not countable");
    }
    if (item.equals("slow")) {
      try {
        Thread.sleep(600_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
    }
    context.getLogger().log("counting " + event.get("taskId"));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("words", item.isBlank() ? 0 : item.trim().split("\\s+").length);
    result.put("taskId", event.get("taskId"));
    result.put("invocationInThisEnvironment", invocations);
    result.put("hasTimeLeft", context.getRemainingTimeInMillis() > 0);
    return result;
  }
}
