package io.hubspoke.local.emulator;

import io.hubspoke.contract.workers.LambdaFunctionName;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A function the local Lambda Invoke endpoint hosts: its name, the aliases it answers to besides
 * {@code $LATEST}, its timeout, its reserved concurrency (0: none, only the account's limit, which
 * is not emulated) and its code.
 */
public record LocalFunction(
    String name,
    Set<String> aliases,
    Duration timeout,
    int reservedConcurrency,
    FunctionCode code) {

  /** A local function's timeout unless set: a task's default (Lambda's own default is 3 s). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** Lambda's longest function timeout. */
  public static final Duration MAX_TIMEOUT = Duration.ofMinutes(15);

  public LocalFunction {
    Objects.requireNonNull(code, "code");
    LambdaFunctionName parsed = LambdaFunctionName.parse(name);
    if (parsed.qualifier() != null || parsed.account() != null) {
      throw new IllegalArgumentException(
          "a local function's name is a plain name such as resize, not '" + name + "'");
    }
    aliases = Set.copyOf(aliases);
    for (String alias : aliases) {
      LambdaFunctionName qualified = LambdaFunctionName.parse(name + ":" + alias);
      if (qualified.qualifier().equals("$LATEST") || qualified.qualifier().matches("\\d+")) {
        throw new IllegalArgumentException(
            "alias '" + alias + "' of " + name + " is a version, not an alias name");
      }
    }
    if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "the timeout of " + name + " must be from 1 s to 15 minutes, as on Lambda");
    }
    if (reservedConcurrency < 0) {
      throw new IllegalArgumentException("reserved concurrency cannot be negative");
    }
  }

  public static Builder builder(String name, FunctionCode code) {
    return new Builder(name, code);
  }

  /** Whether an Invoke with this qualifier (null: none) reaches this function. */
  public boolean answersTo(String qualifier) {
    return qualifier == null || qualifier.equals("$LATEST") || aliases.contains(qualifier);
  }

  public static final class Builder {
    private final String name;
    private final FunctionCode code;
    private final Set<String> aliases = new LinkedHashSet<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private int reservedConcurrency;

    private Builder(String name, FunctionCode code) {
      this.name = name;
      this.code = code;
    }

    /** An alias (pointing at {@code $LATEST}) the function also answers to. */
    public Builder alias(String alias) {
      aliases.add(alias);
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** At most this many invocations at once; more get 429 TooManyRequestsException. */
    public Builder reservedConcurrency(int concurrency) {
      this.reservedConcurrency = concurrency;
      return this;
    }

    public LocalFunction build() {
      return new LocalFunction(name, aliases, timeout, reservedConcurrency, code);
    }
  }
}
