package io.hubspoke.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hubspoke.bench.Bench;
import io.hubspoke.bench.BenchConfig;
import io.hubspoke.bench.BenchTable;
import io.hubspoke.bench.RepoFiles;
import io.hubspoke.bench.Scenarios;
import io.hubspoke.contract.json.Json;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hubspoke bench [SCENARIO…] [--json] [--out FILE]}. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks hubspoke through the local runtime (real engines, real handlers) and prints a"
          + " table, or with --json a JSON object keyed by scenario. Each scenario reports its"
          + " target and whether it met it. Exit 0 when every scenario ran (met or not), 1 if one"
          + " failed, 2 on usage errors.",
      "Scenarios: init, makespan, dispatch, cost, throughput, modes (minutes: the same work through"
          + " each dispatch mode, as a matrix), big (minutes), all. Without any: all but modes and"
          + " big. They run in that order (init first, on a machine not yet loaded by the"
          + " others), whatever order they are given in."
    })
public final class BenchCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SCENARIO", arity = "0..*", description = "scenarios to run")
  List<String> scenarios = new ArrayList<>();

  @Option(names = "--json", description = "print the report as JSON")
  boolean json;

  @Option(names = "--out", paramLabel = "FILE", description = "also write the report to FILE")
  Path out;

  @Option(names = "--small", description = "every scenario at a size that takes seconds")
  boolean small;

  @Option(names = "--makespan-tasks", description = "default 2000")
  Integer makespanTasks;

  @Option(names = "--makespan-concurrency", description = "default 32")
  Integer makespanConcurrency;

  @Option(names = "--makespan-batch-size", description = "default 1")
  Integer makespanBatchSize;

  @Option(names = "--sleep-ms", description = "the makespan tasks' sleep, default 200")
  Integer sleepMs;

  @Option(names = "--dispatch-items", description = "default 10000")
  Integer dispatchItems;

  @Option(names = "--cost-tasks", description = "default 1000")
  Integer costTasks;

  @Option(names = "--cost-concurrency", description = "default 2")
  Integer costConcurrency;

  @Option(names = "--init-repeats", description = "fresh JVMs per function (median), default 3")
  Integer initRepeats;

  @Option(names = "--throughput-tasks", description = "tasks per level, default 2000")
  Integer throughputTasks;

  @Option(
      names = "--throughput-concurrency",
      split = ",",
      description = "levels, default 2,4,16,64")
  List<Integer> throughputConcurrency;

  @Option(names = "--big-tasks", description = "default 100000")
  Integer bigTasks;

  @Option(names = "--big-concurrency", description = "default 16")
  Integer bigConcurrency;

  @Option(
      names = "--modes-tasks",
      description = "tasks per run of the modes scenario, default 2000")
  Integer modesTasks;

  @Option(names = "--modes-sleep-ms", description = "the modes scenario's task sleep, default 200")
  Integer modesSleepMs;

  @Option(
      names = "--modes-concurrency",
      description = "tasks at once in every mode (a multiple of 10, at least 20), default 30")
  Integer modesConcurrency;

  @Option(
      names = "--modes-outage-seconds",
      description = "how long the workers are down in the modes scenario's outage run, default 30")
  Integer modesOutageSeconds;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Set<String> names = new LinkedHashSet<>();
    for (String s : scenarios.isEmpty() ? Scenarios.DEFAULT : scenarios) {
      if (s.equals("all")) {
        names.addAll(Scenarios.ALL);
      } else if (Scenarios.ALL.contains(s)) {
        names.add(s);
      } else {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "unknown scenario '"
                + s
                + "': choose from "
                + String.join(", ", Scenarios.ALL)
                + ", all");
      }
    }
    List<String> ordered = Scenarios.ALL.stream().filter(names::contains).toList();
    BenchConfig config = config();
    PrintWriter err = spec.commandLine().getErr();
    RepoFiles repo = RepoFiles.locate();
    Scenarios runner = new Scenarios(config, repo);
    ObjectNode report = Json.object();
    ObjectNode machine = report.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put(
        "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    boolean failed = false;
    for (String name : ordered) {
      err.println("bench: " + name + " …");
      err.flush();
      long t0 = System.nanoTime();
      double loadBefore = Bench.loadAverage();
      try {
        ObjectNode result = runner.run(name);
        result.put("benchSeconds", Bench.seconds(System.nanoTime() - t0));
        result.put(
            "loadAverage",
            Bench.round(loadBefore, 1) + " → " + Bench.round(Bench.loadAverage(), 1));
        report.set(name, result);
        err.println(
            "bench: "
                + name
                + " done in "
                + Bench.seconds(System.nanoTime() - t0)
                + " s"
                + (result.has("meetsTarget")
                    ? result.get("meetsTarget").asBoolean() ? " (target met)" : " (target MISSED)"
                    : ""));
      } catch (Exception e) {
        failed = true;
        report.putObject(name).put("error", String.valueOf(e));
        err.println("bench: " + name + " failed: " + e);
      }
      err.flush();
    }
    String text = json ? Json.write(report) + System.lineSeparator() : BenchTable.render(report);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.print(text);
    stdout.flush();
    if (out != null) {
      Files.writeString(out, text, StandardCharsets.UTF_8);
    }
    return failed ? 1 : 0;
  }

  /** The machine's 1-minute load average: how much else was running (other builds, tests). */
  BenchConfig config() {
    BenchConfig d = small ? BenchConfig.small() : BenchConfig.defaults();
    return new BenchConfig(
        or(makespanTasks, d.makespanTasks()),
        or(sleepMs, d.makespanSleepMs()),
        or(makespanConcurrency, d.makespanConcurrency()),
        or(makespanBatchSize, d.makespanBatchSize()),
        or(dispatchItems, d.dispatchItems()),
        or(costTasks, d.costTasks()),
        or(costConcurrency, d.costConcurrency()),
        or(initRepeats, d.initRepeats()),
        or(throughputTasks, d.throughputTasks()),
        throughputConcurrency != null
            ? List.copyOf(throughputConcurrency)
            : d.throughputConcurrency(),
        or(bigTasks, d.bigTasks()),
        d.bigItemsPerRun(),
        or(bigConcurrency, d.bigConcurrency()),
        d.warmupTasks(),
        d.initSettleSeconds(),
        or(modesTasks, d.modesTasks()),
        or(modesSleepMs, d.modesSleepMs()),
        or(modesConcurrency, d.modesConcurrency()),
        or(modesOutageSeconds, d.modesOutageSeconds()));
  }

  private static int or(Integer value, int fallback) {
    return value != null ? value : fallback;
  }
}
