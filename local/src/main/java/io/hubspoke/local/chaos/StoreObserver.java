package io.hubspoke.local.chaos;

import java.util.Map;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Records every claim and every terminal write that DynamoDB applied and answered, into the {@link
 * Journal}. It reads the real requests and responses of the functions' clients; it changes nothing.
 */
public final class StoreObserver implements ExecutionInterceptor {
  private final Journal journal;

  public StoreObserver(Journal journal) {
    this.journal = journal;
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    if (!(context.request() instanceof UpdateItemRequest update)
        || !(context.response() instanceof UpdateItemResponse response)
        || !update.key().get("sk").s().startsWith("T#")) {
      return;
    }
    Map<String, AttributeValue> item = response.attributes();
    if (item == null || item.isEmpty()) {
      return;
    }
    String taskKey = update.key().get("pk").s() + "|" + update.key().get("sk").s();
    String owner = item.containsKey("owner") ? item.get("owner").s() : "";
    String status = item.get("status").s();
    long version = Long.parseLong(item.get("version").n());
    if (update.updateExpression().startsWith("SET #st = :running")) {
      long at = Long.parseLong(update.expressionAttributeValues().get(":now").n());
      long lease = Long.parseLong(update.expressionAttributeValues().get(":lease").n());
      journal.write(taskKey, new Journal.Write("CLAIM", owner, version, at, lease));
    } else {
      journal.write(taskKey, new Journal.Write(status, owner, version, 0, 0));
    }
  }
}
