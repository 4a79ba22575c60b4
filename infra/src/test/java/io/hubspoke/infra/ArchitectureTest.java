package io.hubspoke.infra;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency directions inside the CDK app, checked on its compiled classes: the app (config,
 * stack, jar lookup) is built from the constructs, never the other way round, so a construct can be
 * built and tested in a bare stack without the app's configuration.
 *
 * <p>javac copies a {@code static final String} constant into the class that reads it, so a
 * construct naming one of the app's constants leaves no trace in the bytecode these rules check:
 * such constants live beside the construct that needs them ({@code ScheduledRun.CONTEXT_KEY}).
 */
@AnalyzeClasses(
    packages = "io.hubspoke.infra",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String APP = "io.hubspoke.infra";
  private static final String CONSTRUCTS = "io.hubspoke.infra.constructs..";

  @ArchTest
  static final ArchRule noPackageCycles =
      slices()
          .matching("io.hubspoke.(infra..)")
          .should()
          .beFreeOfCycles()
          .because("a cycle between the app and its constructs makes neither buildable alone");

  @ArchTest
  static final ArchRule theStackKnowsOnlyTheContractOfOurs =
      noClasses()
          .that()
          .resideInAPackage("io.hubspoke.infra..")
          .should()
          .dependOnClassesThat()
          .resideOutsideOfPackages(
              "io.hubspoke.infra..",
              "io.hubspoke.contract..",
              "io.hubspoke.worker..",
              "java..",
              "javax..",
              "software.amazon.awscdk..",
              "software.constructs..",
              "io.github.cdklabs..",
              "com.fasterxml.jackson..",
              "org.jetbrains.annotations..",
              "org.jspecify..")
          .because(
              "the stack agrees with the functions through the contract (and reads plug-ins through the"
                  + " worker API) only; it deploys their jars, never their classes");

  @ArchTest
  static final ArchRule constructsKnowNothingOfTheApp =
      noClasses()
          .that()
          .resideInAPackage(CONSTRUCTS)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(APP)
          .because(
              "constructs take their settings as props; the app (HubspokeConfig, HubspokeStack)"
                  + " turns the CDK context into those props");
}
