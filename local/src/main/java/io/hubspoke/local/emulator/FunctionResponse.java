package io.hubspoke.local.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * What one invocation of a local function answered: the payload Invoke returns, and whether it is a
 * function error (Lambda then sets {@code X-Amz-Function-Error: Unhandled} and the payload is the
 * error object, {@code {"errorType","errorMessage"}}).
 */
public record FunctionResponse(byte[] payload, boolean functionError) {
  public static FunctionResponse ok(byte[] payload) {
    return new FunctionResponse(payload, false);
  }

  /** A function error with the payload the function (or its runtime) wrote. */
  public static FunctionResponse errorPayload(byte[] payload) {
    return new FunctionResponse(payload, true);
  }

  /** A function error as a Lambda runtime reports one. */
  public static FunctionResponse error(String errorType, String errorMessage) {
    ObjectNode error = Json.object();
    error.put("errorType", errorType);
    error.put("errorMessage", errorMessage);
    return errorPayload(Json.write(error).getBytes(StandardCharsets.UTF_8));
  }

  public String payloadText() {
    return new String(payload, StandardCharsets.UTF_8);
  }
}
