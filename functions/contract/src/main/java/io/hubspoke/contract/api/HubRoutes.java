package io.hubspoke.contract.api;

import java.util.List;

/**
 * The routes the hub serves, as {@code METHOD path}: the one list the hub's router reports, the
 * stack's HTTP API declares and the local HTTP API serves, so a route cannot exist in one of them
 * only.
 */
public final class HubRoutes {
  public static final List<String> ALL =
      List.of(
          "POST /runs",
          "GET /runs",
          "GET /runs/{runId}",
          "DELETE /runs/{runId}",
          "POST /runs/{runId}/redrive",
          "GET /runs/{runId}/tasks",
          "GET /runs/{runId}/tasks/{taskNumber}",
          "POST /runs/{runId}/claims",
          "POST /runs/{runId}/tasks/{taskNumber}/heartbeat",
          "POST /runs/{runId}/tasks/{taskNumber}/result");

  private HubRoutes() {}
}
