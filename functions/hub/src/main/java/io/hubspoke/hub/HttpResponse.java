package io.hubspoke.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.contract.json.Json;
import io.hubspoke.contract.validation.FieldError;
import java.util.List;
import java.util.Map;

/** An API Gateway HTTP API (payload format 2.0) response with a JSON body. */
record HttpResponse(int statusCode, Map<String, String> headers, JsonNode body) {

  static HttpResponse json(int status, JsonNode body) {
    return new HttpResponse(status, Map.of(), body);
  }

  static HttpResponse error(int status, String error, String message) {
    return json(status, Json.object().put("error", error).put("message", message));
  }

  static HttpResponse invalid(String message, List<FieldError> errors) {
    ObjectNode body = Json.object().put("error", "ValidationError").put("message", message);
    var list = body.putArray("errors");
    for (FieldError e : errors) {
      list.addObject().put("field", e.field()).put("message", e.message()).put("fix", e.fix());
    }
    return json(400, body);
  }

  HttpResponse withHeader(String name, String value) {
    Map<String, String> all = new java.util.LinkedHashMap<>(headers);
    all.put(name, value);
    return new HttpResponse(statusCode, all, body);
  }

  ObjectNode toEvent() {
    ObjectNode event = Json.object();
    event.put("statusCode", statusCode);
    ObjectNode h = event.putObject("headers");
    h.put("content-type", "application/json");
    headers.forEach(h::put);
    event.put("body", Json.write(body));
    event.put("isBase64Encoded", false);
    return event;
  }
}
