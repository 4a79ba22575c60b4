package io.hubspoke.infra.constructs;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.aws_apigatewayv2_authorizers.HttpIamAuthorizer;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.apigatewayv2.HttpNoneAuthorizer;
import software.amazon.awscdk.services.apigatewayv2.HttpStage;
import software.amazon.awscdk.services.apigatewayv2.HttpStageOptions;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogDestination;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogSettings;
import software.amazon.awscdk.services.apigatewayv2.IHttpRouteAuthorizer;
import software.amazon.awscdk.services.apigatewayv2.LogGroupLogDestination;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The HTTP API (API Gateway v2) in front of the hub: the routes the hub serves, IAM (SigV4)
 * authorization on every route by default, stage throttling, and JSON access logs.
 */
public class HubHttpApi extends Construct {
  /** The routes the hub serves, as {@code METHOD path}. */
  public static final List<String> ROUTES = io.hubspoke.contract.api.HubRoutes.ALL;

  /** Access log line: one JSON object per request, HTTP API context variables only. */
  public static final String ACCESS_LOG_FORMAT =
      "{\"requestId\":\"$context.requestId\",\"requestTime\":\"$context.requestTime\","
          + "\"ip\":\"$context.identity.sourceIp\",\"caller\":\"$context.identity.caller\","
          + "\"user\":\"$context.identity.user\",\"userArn\":\"$context.identity.userArn\","
          + "\"httpMethod\":\"$context.httpMethod\",\"routeKey\":\"$context.routeKey\","
          + "\"path\":\"$context.path\",\"protocol\":\"$context.protocol\","
          + "\"status\":\"$context.status\",\"responseLength\":\"$context.responseLength\","
          + "\"responseLatency\":\"$context.responseLatency\","
          + "\"integrationStatus\":\"$context.integrationStatus\","
          + "\"integrationLatency\":\"$context.integrationLatency\","
          + "\"integrationError\":\"$context.integrationErrorMessage\"}";

  private final HttpApi api;
  private final HttpStage stage;
  private final LogGroup accessLogGroup;

  public HubHttpApi(Construct scope, String id, Props props) {
    super(scope, id);
    IHttpRouteAuthorizer authorizer =
        props.getAuthorization() == ApiAuthorization.IAM
            ? new HttpIamAuthorizer()
            : new HttpNoneAuthorizer();
    this.api =
        HttpApi.Builder.create(this, "Api")
            .description("hubspoke: start and inspect runs")
            .createDefaultStage(false)
            .defaultAuthorizer(authorizer)
            .build();
    this.accessLogGroup =
        LogGroup.Builder.create(this, "AccessLogs")
            .retention(props.getLogRetention())
            .removalPolicy(RemovalPolicy.DESTROY)
            .build();
    IAccessLogDestination destination = new LogGroupLogDestination(accessLogGroup);
    this.stage =
        api.addStage(
            "DefaultStage",
            HttpStageOptions.builder()
                .stageName("$default")
                .autoDeploy(true)
                .throttle(
                    ThrottleSettings.builder()
                        .rateLimit(props.getThrottleRateLimit())
                        .burstLimit(props.getThrottleBurstLimit())
                        .build())
                .accessLogSettings(
                    new IAccessLogSettings() {
                      @Override
                      public IAccessLogDestination getDestination() {
                        return destination;
                      }

                      @Override
                      public AccessLogFormat getFormat() {
                        return AccessLogFormat.custom(ACCESS_LOG_FORMAT);
                      }
                    })
                .build());

    HttpLambdaIntegration integration = new HttpLambdaIntegration("Hub", props.getHub());
    for (String route : ROUTES) {
      String[] parts = route.split(" ", 2);
      api.addRoutes(
          AddRoutesOptions.builder()
              .methods(List.of(HttpMethod.valueOf(parts[0])))
              .path(parts[1])
              .integration(integration)
              .build());
    }
    // After the routes exist: the suppression is applied to the children present now.
    if (props.getAuthorization() == ApiAuthorization.NONE) {
      NagSuppressions.addResourceSuppressions(
          api,
          List.of(
              NagPackSuppression.builder()
                  .id("AwsSolutions-APIG4")
                  .reason(
                      "Authorization switched off on purpose with the context setting"
                          + " hubspoke:apiAuthorization=none (throwaway development stacks only);"
                          + " the default is IAM (SigV4).")
                  .build()),
          true);
    }
  }

  public HttpApi getApi() {
    return api;
  }

  public HttpStage getStage() {
    return stage;
  }

  /** Base URL of the API, ending in '/'. */
  public String getUrl() {
    return stage.getUrl();
  }

  public LogGroup getAccessLogGroup() {
    return accessLogGroup;
  }

  /** Settings of {@link HubHttpApi}. */
  public static final class Props {
    private final IFunction hub;
    private final ApiAuthorization authorization;
    private final int throttleRateLimit;
    private final int throttleBurstLimit;
    private final RetentionDays logRetention;

    private Props(Builder b) {
      this.hub = Objects.requireNonNull(b.hub, "hub");
      this.authorization = Objects.requireNonNull(b.authorization, "authorization");
      this.throttleRateLimit = b.throttleRateLimit;
      this.throttleBurstLimit = b.throttleBurstLimit;
      this.logRetention = Objects.requireNonNull(b.logRetention, "logRetention");
    }

    public static Builder builder() {
      return new Builder();
    }

    public IFunction getHub() {
      return hub;
    }

    public ApiAuthorization getAuthorization() {
      return authorization;
    }

    public int getThrottleRateLimit() {
      return throttleRateLimit;
    }

    public int getThrottleBurstLimit() {
      return throttleBurstLimit;
    }

    public RetentionDays getLogRetention() {
      return logRetention;
    }

    public static final class Builder {
      private IFunction hub;
      private ApiAuthorization authorization = ApiAuthorization.IAM;
      private int throttleRateLimit = 50;
      private int throttleBurstLimit = 100;
      private RetentionDays logRetention = RetentionDays.ONE_MONTH;

      /** The hub's alias. */
      public Builder hub(IFunction hub) {
        this.hub = hub;
        return this;
      }

      public Builder authorization(ApiAuthorization authorization) {
        this.authorization = authorization;
        return this;
      }

      /** Steady-state requests per second for the whole stage. */
      public Builder throttleRateLimit(int rateLimit) {
        this.throttleRateLimit = rateLimit;
        return this;
      }

      public Builder throttleBurstLimit(int burstLimit) {
        this.throttleBurstLimit = burstLimit;
        return this;
      }

      public Builder logRetention(RetentionDays logRetention) {
        this.logRetention = logRetention;
        return this;
      }

      public Props build() {
        return new Props(this);
      }
    }
  }
}
