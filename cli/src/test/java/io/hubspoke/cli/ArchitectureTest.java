package io.hubspoke.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.hubspoke.contract.HubspokeException;

/**
 * The dependency directions of the modules (docs/architecture.md), checked on their compiled main
 * classes: the CLI's test class path holds every module but infra, which checks its own. The
 * contract depends on nothing of ours; core on the contract; each handler on core only; the engines
 * on the contract only; the runtime on core, the handlers and the engines; the tools on the
 * runtime; the CLI on all of them; nothing on the CLI nor, outside tests, on the test kit. No
 * package of ours is in a cycle. A later change that breaks one fails the build.
 */
@AnalyzeClasses(
    packages = "io.hubspoke",
    importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {
  /**
   * In the reactor, the runtime's test helpers arrive as its {@code -tests.jar}, which {@link
   * ImportOption.DoNotIncludeTests} (test-classes directories) does not recognise.
   */
  static final class NoTestJars implements ImportOption {
    @Override
    public boolean includes(com.tngtech.archunit.core.importer.Location location) {
      return !location.contains("-tests.jar");
    }
  }

  private static final String CONTRACT = "io.hubspoke.contract..";
  private static final String WORKER_API = "io.hubspoke.worker..";
  private static final String CORE = "io.hubspoke.core..";
  private static final String HUB = "io.hubspoke.hub..";
  private static final String SPOKE = "io.hubspoke.spoke..";
  private static final String COLLECTOR = "io.hubspoke.collector..";
  private static final String ENGINES = "io.hubspoke.engines..";
  private static final String RUNTIME = "io.hubspoke.local..";
  private static final String CHAOS = "io.hubspoke.chaos..";
  private static final String BENCH = "io.hubspoke.bench..";
  private static final String CLI = "io.hubspoke.cli..";
  private static final String TESTKIT = "io.hubspoke.testkit..";
  private static final String INFRA = "io.hubspoke.infra..";

  @ArchTest
  static final ArchRule theContractDependsOnNothingOfOurs =
      noClasses()
          .that()
          .resideInAPackage(CONTRACT)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              WORKER_API,
              CORE,
              HUB,
              SPOKE,
              COLLECTOR,
              ENGINES,
              RUNTIME,
              CHAOS,
              BENCH,
              CLI,
              TESTKIT,
              INFRA,
              "software.amazon..",
              "com.amazonaws..")
          .because("the CDK stack depends on the contract only: it must not pull the functions in");

  @ArchTest
  static final ArchRule theWorkerApiKnowsTheContractOnly =
      noClasses()
          .that()
          .resideInAPackage(WORKER_API)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              CORE,
              HUB,
              SPOKE,
              COLLECTOR,
              ENGINES,
              RUNTIME,
              CHAOS,
              BENCH,
              CLI,
              TESTKIT,
              INFRA,
              "software.amazon..",
              "com.amazonaws..")
          .because("a team's plug-in depends on the worker API alone, with no AWS SDK");

  @ArchTest
  static final ArchRule coreKnowsNoFunctionNorTool =
      noClasses()
          .that()
          .resideInAPackage(CORE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              HUB, SPOKE, COLLECTOR, ENGINES, RUNTIME, CHAOS, BENCH, CLI, TESTKIT, INFRA)
          .because("the handlers, the local runtime and the stack are built on core, not in it");

  @ArchTest static final ArchRule theHubImportsCoreOnly = handlerImportsCoreOnly(HUB);

  @ArchTest static final ArchRule theSpokeImportsCoreOnly = handlerImportsCoreOnly(SPOKE);

  @ArchTest static final ArchRule theCollectorImportsCoreOnly = handlerImportsCoreOnly(COLLECTOR);

  @ArchTest
  static final ArchRule theEnginesKnowTheContractOnly =
      noClasses()
          .that()
          .resideInAPackage(ENGINES)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              CORE, HUB, SPOKE, COLLECTOR, RUNTIME, CHAOS, BENCH, CLI, TESTKIT, INFRA)
          .because("the real engines serve the runtime and any module's tests alike");

  @ArchTest
  static final ArchRule theRuntimeKnowsNoToolNorTheCli =
      noClasses()
          .that()
          .resideInAPackage(RUNTIME)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(CHAOS, BENCH, CLI, TESTKIT, INFRA)
          .because("the tools drive the runtime; the runtime must run without them");

  @ArchTest
  static final ArchRule theToolsAreIndependent =
      noClasses()
          .that()
          .resideInAnyPackage(CHAOS, BENCH)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(CLI, TESTKIT, INFRA)
          .because("each tool is a library the CLI wires, usable without it");

  @ArchTest
  static final ArchRule theChaosHarnessAndTheBenchmarkDoNotShare =
      slices()
          .matching("io.hubspoke.(chaos|bench)..")
          .should()
          .notDependOnEachOther()
          .because("the soak and the benchmark are separate tools");

  @ArchTest
  static final ArchRule nothingImportsTheCli =
      noClasses()
          .that()
          .resideOutsideOfPackage(CLI)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(CLI)
          .because("the CLI is the outermost layer: it wires the others");

  /**
   * The chaos harness's {@code InjectedCrash} stands for a function dying, not for a refusal of
   * ours, so no handler may treat it as one; checked exceptions private to one class are local
   * control flow.
   */
  @ArchTest
  static final ArchRule everyExceptionOfOursIsAHubspokeException =
      classes()
          .that()
          .resideInAPackage("io.hubspoke..")
          .and()
          .areAssignableTo(RuntimeException.class)
          .and()
          .doNotHaveFullyQualifiedName("io.hubspoke.chaos.FaultInjector$InjectedCrash")
          .should()
          .beAssignableTo(HubspokeException.class)
          .because("callers map hubspoke's own refusals by one base type (HubspokeException)");

  @ArchTest
  static final ArchRule noPackageCycles =
      slices()
          .matching("io.hubspoke.(**)")
          .should()
          .beFreeOfCycles()
          .because("a cycle between two packages makes them one unit in all but name");

  private static ArchRule handlerImportsCoreOnly(String handler) {
    return noClasses()
        .that()
        .resideInAPackage(handler)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            otherThan(handler, HUB, SPOKE, COLLECTOR, ENGINES, RUNTIME, CHAOS, BENCH, CLI, INFRA))
        .because("each function is its own jar, wired by core's composition root");
  }

  private static String[] otherThan(String excluded, String... packages) {
    return java.util.Arrays.stream(packages)
        .filter(p -> !p.equals(excluded))
        .toArray(String[]::new);
  }
}
