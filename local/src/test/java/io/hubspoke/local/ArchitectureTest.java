package io.hubspoke.local;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency directions the layout relies on, checked on the compiled classes of the contract,
 * core, the three handlers and the local runtime (infra, which is built apart, is not on this class
 * path): the contract imports nothing of ours nor of AWS; core imports none of the functions or
 * tools; a handler imports core only; nothing but the local runtime's own code imports the local
 * runtime. A later change that breaks one fails the build.
 */
@AnalyzeClasses(packages = "io.hubspoke", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String CONTRACT = "io.hubspoke.contract..";
  private static final String CORE = "io.hubspoke.core..";
  private static final String HUB = "io.hubspoke.hub..";
  private static final String SPOKE = "io.hubspoke.spoke..";
  private static final String COLLECTOR = "io.hubspoke.collector..";
  private static final String LOCAL = "io.hubspoke.local..";
  private static final String INFRA = "io.hubspoke.infra..";

  @ArchTest
  static final ArchRule theContractDependsOnNothingOfOurs =
      noClasses()
          .that()
          .resideInAPackage(CONTRACT)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              CORE, HUB, SPOKE, COLLECTOR, LOCAL, INFRA, "software.amazon..", "com.amazonaws..")
          .because("the CDK stack depends on the contract only: it must not pull the functions in");

  @ArchTest
  static final ArchRule coreKnowsNoFunctionNorTool =
      noClasses()
          .that()
          .resideInAPackage(CORE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(HUB, SPOKE, COLLECTOR, LOCAL, INFRA)
          .because("the handlers, the local runtime and the stack are built on core, not in it");

  @ArchTest
  static final ArchRule theHubImportsCoreOnly =
      noClasses()
          .that()
          .resideInAPackage(HUB)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(SPOKE, COLLECTOR, LOCAL, INFRA)
          .because("each function is its own jar, wired by core's composition root");

  @ArchTest
  static final ArchRule theSpokeImportsCoreOnly =
      noClasses()
          .that()
          .resideInAPackage(SPOKE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(HUB, COLLECTOR, LOCAL, INFRA)
          .because("each function is its own jar, wired by core's composition root");

  @ArchTest
  static final ArchRule theCollectorImportsCoreOnly =
      noClasses()
          .that()
          .resideInAPackage(COLLECTOR)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(HUB, SPOKE, LOCAL, INFRA)
          .because("each function is its own jar, wired by core's composition root");

  @ArchTest
  static final ArchRule nothingDeploysTheLocalRuntime =
      noClasses()
          .that()
          .resideOutsideOfPackage(LOCAL)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(LOCAL)
          .because("the local runtime drives the functions; no function may need it on AWS");
}
