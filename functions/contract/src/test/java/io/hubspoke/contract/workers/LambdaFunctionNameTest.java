package io.hubspoke.contract.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The FunctionName formats of Lambda's Invoke API, as AWS documents them. */
class LambdaFunctionNameTest {
  @Test
  void readsTheThreeFormatsWithAndWithoutAQualifier() {
    LambdaFunctionName plain = LambdaFunctionName.parse("my-function");
    assertEquals("my-function", plain.name());
    assertNull(plain.qualifier());
    assertNull(plain.account());

    LambdaFunctionName alias = LambdaFunctionName.parse("my-function:v1");
    assertEquals("my-function", alias.name());
    assertEquals("v1", alias.qualifier());

    LambdaFunctionName arn =
        LambdaFunctionName.parse("arn:aws:lambda:us-west-2:123456789012:function:my-function");
    assertEquals("aws", arn.partition());
    assertEquals("us-west-2", arn.region());
    assertEquals("123456789012", arn.account());
    assertEquals("my-function", arn.name());
    assertNull(arn.qualifier());

    LambdaFunctionName latest =
        LambdaFunctionName.parse(
            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:$LATEST");
    assertEquals("$LATEST", latest.qualifier());
    assertEquals("us-gov-west-1", latest.region());

    LambdaFunctionName partial = LambdaFunctionName.parse("123456789012:function:my-function:7");
    assertEquals("123456789012", partial.account());
    assertEquals("7", partial.qualifier());
    assertNull(partial.region());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "my-function",
        "my_function.v2:live",
        "arn:aws:lambda:eu-west-1:123456789012:function:resize:prod",
        "arn:aws-cn:lambda:cn-north-1:123456789012:function:resize",
        "arn:aws-iso:lambda:us-iso-east-1:123456789012:function:resize",
        "123456789012:function:resize"
      })
  void printsAsItWasGiven(String text) {
    assertEquals(text, LambdaFunctionName.parse(text).toString());
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|is empty",
        "my function|not a valid function name",
        "my-function:|empty qualifier",
        "my-function:v1:v2|not a partial ARN",
        "f:$NOT_LATEST|not a valid qualifier",
        "arn:aws:lambda:us-west-2:123456789012:layer:x|not a function ARN",
        "arn:aws:s3:us-west-2:123456789012:function:x|not a function ARN",
        "arn:aws:lambda:uswest2:123456789012:function:x|not a valid region",
        "arn:aws:lambda:us-west-2:12345:function:x|not a valid account id",
        "arn:gcp:lambda:us-west-2:123456789012:function:x|not a valid partition",
        "12345678901a:function:x|not a valid account id",
        "123456789012:func:x|not a partial ARN",
        "a:b:c:d:e|too many",
      })
  void refusesWhatInvokeWouldRefuse(String text, String reason) {
    var e =
        assertThrows(
            LambdaFunctionName.InvalidFunctionNameException.class,
            () -> LambdaFunctionName.parse(text));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void enforcesTheDocumentedLengths() {
    LambdaFunctionName.parse("f".repeat(64));
    assertThrows(RuntimeException.class, () -> LambdaFunctionName.parse("f".repeat(65)));
    LambdaFunctionName.parse("f:" + "a".repeat(128));
    assertThrows(RuntimeException.class, () -> LambdaFunctionName.parse("f:" + "a".repeat(129)));
    String arnPrefix = "arn:aws-" + "x".repeat(130) + ":lambda:us-east-1:123456789012:function:";
    var tooLong =
        assertThrows(
            RuntimeException.class, () -> LambdaFunctionName.parse(arnPrefix + "f".repeat(10)));
    assertTrue(tooLong.getMessage().contains("at most 170"), tooLong.getMessage());
  }

  @Test
  void anUnqualifiedEntryAllowsEveryQualifierAQualifiedOneOnlyItsOwn() {
    LambdaFunctionName any = LambdaFunctionName.parse("resize");
    LambdaFunctionName live = LambdaFunctionName.parse("resize:live");
    assertTrue(any.allows(LambdaFunctionName.parse("resize"), "eu-west-1"));
    assertTrue(any.allows(LambdaFunctionName.parse("resize:live"), "eu-west-1"));
    assertTrue(live.allows(LambdaFunctionName.parse("resize:live"), "eu-west-1"));
    assertFalse(live.allows(LambdaFunctionName.parse("resize"), "eu-west-1"));
    assertFalse(live.allows(LambdaFunctionName.parse("resize:beta"), "eu-west-1"));
    assertFalse(any.allows(LambdaFunctionName.parse("Resize"), "eu-west-1"));
  }

  @Test
  void anArnEntryAllowsItsNameInItsOwnRegionAndAccountOnly() {
    LambdaFunctionName arn =
        LambdaFunctionName.parse("arn:aws:lambda:eu-west-1:123456789012:function:resize");
    assertTrue(arn.allows(LambdaFunctionName.parse("resize"), "eu-west-1"));
    assertFalse(arn.allows(LambdaFunctionName.parse("resize"), "us-east-1"));
    assertTrue(arn.allows(LambdaFunctionName.parse("123456789012:function:resize:2"), "eu-west-1"));
    assertFalse(arn.allows(LambdaFunctionName.parse("210987654321:function:resize"), "eu-west-1"));
    assertFalse(
        arn.allows(
            LambdaFunctionName.parse("arn:aws:lambda:us-east-1:123456789012:function:resize"),
            "eu-west-1"));
  }
}
