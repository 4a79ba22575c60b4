package io.hubspoke.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hubspoke.contract.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What `hubspoke run` shows of a run as it goes and when it ends. */
class ProgressTest {
  private static JsonNode json(String text) throws Exception {
    return Json.parse(text.replace('\'', '"'));
  }

  private static String lastLine(StringWriter text) {
    String all = text.toString();
    return all.substring(all.lastIndexOf('\r') + 1);
  }

  @Test
  void aRunOfGivenItemsShowsABarAgainstItsTotal() throws Exception {
    StringWriter text = new StringWriter();
    Progress progress = new Progress(new PrintWriter(text), 10);
    progress.update(
        json("{'status':'RUNNING','total':10,'succeeded':4,'failed':1,'tasksCreated':10}"));
    String line = lastLine(text);
    assertTrue(line.startsWith("[###############...............] 5/10 done, 1 failed"), line);
    assertTrue(line.contains("RUNNING"), line);
  }

  @Test
  void whileDiscoveringTheCountSoFarThenABarOnceTheTotalIsKnown() throws Exception {
    StringWriter text = new StringWriter();
    Progress progress = new Progress(new PrintWriter(text), 0);
    progress.update(
        json(
            "{'status':'DISCOVERING','total':3000,'succeeded':1200,'failed':0,"
                + "'discovery':{'discovered':3000,'pages':3,'ended':false}}"));
    String discovering = lastLine(text);
    assertTrue(
        discovering.startsWith("discovering: 3,000 items so far (3 pages), 1200 done, 0 failed"),
        discovering);
    assertFalse(discovering.contains("["), "no bar while the total is unknown: " + discovering);

    progress.update(
        json(
            "{'status':'RUNNING','total':4000,'succeeded':2000,'failed':0,"
                + "'discovery':{'discovered':4000,'pages':4,'ended':true}}"));
    String running = lastLine(text);
    assertTrue(
        running.startsWith("[###############...............] 2000/4000 done, 0 failed"), running);
    assertTrue(
        running.length() >= discovering.stripTrailing().length(),
        "the longer line before is blanked out: [" + running + "] after [" + discovering + "]");

    progress.finish(
        json(
            "{'status':'SUCCEEDED','total':4000,'succeeded':4000,'failed':0,"
                + "'discovery':{'discovered':4000,'pages':4,'ended':true}}"));
    assertTrue(text.toString().endsWith(System.lineSeparator()), text.toString());
    assertTrue(lastLine(text).startsWith("[" + "#".repeat(30) + "] 4000/4000 done"));
  }

  @Test
  void oneDiscoveredPageIsOnePage() throws Exception {
    StringWriter text = new StringWriter();
    new Progress(new PrintWriter(text), 0)
        .update(
            json(
                "{'status':'DISCOVERING','total':1000,'succeeded':0,'failed':0,"
                    + "'discovery':{'discovered':1000,'pages':1,'ended':false}}"));
    assertTrue(
        lastLine(text).startsWith("discovering: 1,000 items so far (1 page), 0 done"),
        lastLine(text));
  }

  @Test
  void theSummaryTableSaysHowDiscoveryWent() throws Exception {
    StringWriter ok = new StringWriter();
    SummaryTable.print(
        new PrintWriter(ok),
        json(
            "{'runId':'r-1','status':'SUCCEEDED','summary':{'total':2475,'succeeded':2475,"
                + "'failed':0,'discovery':{'pages':3,'items':2475}}}"));
    assertTrue(ok.toString().contains("discovery       3 pages, 2,475 items\n"), ok.toString());
    assertTrue(ok.toString().contains("tasks           2475"), ok.toString());

    StringWriter failed = new StringWriter();
    SummaryTable.print(
        new PrintWriter(failed),
        json(
            "{'runId':'r-2','status':'FAILED','summary':{'total':100,'succeeded':100,'failed':0,"
                + "'reason':'discovery failed: boom','discovery':{'pages':1,'items':100,"
                + "'error':'boom'}}}"));
    assertTrue(
        failed.toString().contains("discovery       1 page, 100 items; failed: boom"),
        failed.toString());

    StringWriter items = new StringWriter();
    SummaryTable.print(
        new PrintWriter(items),
        json("{'runId':'r-3','status':'SUCCEEDED','summary':{'total':1,'succeeded':1}}"));
    assertFalse(items.toString().contains("discovery"), items.toString());
    assertEquals(
        "run             r-3", items.toString().lines().findFirst().orElseThrow(), "unchanged");
  }

  @Test
  void cancelledTasksAreDoneAndShownOnceThereAreSome() throws Exception {
    StringWriter text = new StringWriter();
    Progress progress = new Progress(new PrintWriter(text), 10);
    progress.update(
        json("{'status':'CANCELLING','total':10,'succeeded':3,'failed':1,'cancelled':4}"));
    assertTrue(
        lastLine(text)
            .startsWith("[########################......] 8/10 done, 1 failed, 4 cancelled"),
        text.toString());
  }
}
