package io.hubspoke.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hubspoke.core.aws.AwsClients;
import io.hubspoke.core.model.RunSpec;
import io.hubspoke.core.model.RunStatus;
import io.hubspoke.core.testing.EmbeddedEngines;
import io.hubspoke.core.testing.Engines;
import io.hubspoke.engines.LocalTables;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * A run may be redriven any number of times: past {@link RunItem#MAX_REDRIVES_KEPT} rounds its item
 * lists only the newest redrives, so it stays within DynamoDB's item size, and every round still
 * starts. Against DynamoDB Local, through the run record's own writes.
 */
class RunRedrivesIT {
  static final EmbeddedEngines ENGINES = new EmbeddedEngines();

  @AfterAll
  static void stop() {
    ENGINES.close();
  }

  @Test
  void aRunRedrivenPastTheListedBoundStillStartsEveryRoundAndListsTheNewest() {
    try (AwsClients clients = ENGINES.clients(Engines.Service.DYNAMODB)) {
      try {
        clients.dynamoDb().describeTable(b -> b.tableName(Engines.TABLE));
      } catch (ResourceNotFoundException e) {
        LocalTables.create(clients.dynamoDb(), Engines.TABLE);
      }
      RunStore runs = new RunStore(clients.dynamoDb(), Engines.TABLE, Clock.systemUTC());
      RunSpec spec = TestRuns.spec(1);
      assertInstanceOf(
          RunStore.CreateResult.Created.class, runs.create(spec, "hash", Optional.empty()));
      assertTrue(runs.finishDispatch(spec, "dispatcher"));
      int rounds = RunItem.MAX_REDRIVES_KEPT + 5;
      for (int round = 0; round <= rounds; round++) {
        assertTrue(runs.markDrained(spec, "drainer-" + round, round), "round " + round);
        String owner = "summarizer-" + round;
        assertTrue(runs.beginSummary(spec.runId(), owner, Instant.now().plusSeconds(60)));
        assertTrue(runs.finishSummary(spec.runId(), owner, RunStatus.FAILED, "{}"));
        if (round == rounds) {
          break;
        }
        RunRecord finished = runs.get(spec.runId()).orElseThrow();
        RunRecord.Redrive redrive =
            new RunRecord.Redrive(round + 1, Set.of("FAILED"), 1, 1, Instant.now());
        assertInstanceOf(
            RunStore.RedriveResult.Redriven.class,
            runs.startRedrive(finished, redrive, Set.of(0), Map.of()),
            "redrive " + (round + 1));
      }
      RunRecord run = runs.get(spec.runId()).orElseThrow();
      assertEquals(rounds, run.round());
      List<RunRecord.Redrive> listed = run.redrives();
      assertEquals(RunItem.MAX_REDRIVES_KEPT, listed.size());
      assertEquals(rounds - RunItem.MAX_REDRIVES_KEPT + 1, listed.get(0).round(), "oldest kept");
      assertEquals(rounds, listed.get(listed.size() - 1).round(), "newest last");
    }
  }
}
