package io.hubspoke.engines;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import java.net.URI;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Amazon's DynamoDB Local running in this JVM, in memory, reachable only from this machine.
 *
 * <p>DynamoDB Local has no option for the listening interface and rejects {@code -port 0}, so the
 * engine starts it with a placeholder port and then rewrites its Jetty connector (a private field
 * of {@link DynamoDBProxyServer}) to 127.0.0.1 and the wanted port before {@code start()}. Jetty's
 * threads are not daemon threads: always {@link #close()} the engine, or the JVM cannot exit.
 */
public final class DynamoDbLocalEngine implements AutoCloseable {
  private final DynamoDBProxyServer server;
  private final URI endpoint;

  private DynamoDbLocalEngine(DynamoDBProxyServer server, URI endpoint) {
    this.server = server;
    this.endpoint = endpoint;
  }

  /** Starts on 127.0.0.1 on an ephemeral port. */
  public static DynamoDbLocalEngine start() {
    return start(0);
  }

  /** Starts on 127.0.0.1 on {@code port}, or on an ephemeral port when {@code port} is 0. */
  public static DynamoDbLocalEngine start(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535: " + port);
    }
    DynamoDBProxyServer server;
    // DynamoDB Local prints its configuration banner on standard output, which belongs to the
    // command line's own output (e.g. `hubspoke run --json | jq`): send it to standard error.
    java.io.PrintStream stdout = System.out;
    synchronized (System.class) {
      System.setOut(System.err);
      try {
        // The CLI port is only a placeholder when port is 0: the connector is rebound below.
        server =
            ServerRunner.createServerFromCommandLineArgs(
                new String[] {
                  "-inMemory", "-disableTelemetry", "-port", String.valueOf(port == 0 ? 8000 : port)
                });
      } catch (Exception e) {
        throw new IllegalStateException("DynamoDB Local rejected its arguments", e);
      } finally {
        System.setOut(stdout);
      }
    }
    ServerConnector connector = connectorOf(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      throw new IllegalStateException("DynamoDB Local did not start", e);
    }
    return new DynamoDbLocalEngine(
        server, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
  }

  private static ServerConnector connectorOf(DynamoDBProxyServer proxy) {
    try {
      Field field = DynamoDBProxyServer.class.getDeclaredField("server");
      field.setAccessible(true);
      Server jetty = (Server) field.get(proxy);
      for (Connector c : jetty.getConnectors()) {
        if (c instanceof ServerConnector sc) {
          return sc;
        }
      }
      throw new IllegalStateException("DynamoDB Local's Jetty server has no ServerConnector");
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "DynamoDB Local's internals changed: cannot bind it to 127.0.0.1", e);
    }
  }

  /** {@code http://127.0.0.1:<port>}, for {@code endpointOverride} or AWS_ENDPOINT_URL_DYNAMODB. */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    stopQuietly(server);
  }

  private static void stopQuietly(DynamoDBProxyServer server) {
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping is best effort; a half-started Jetty may refuse to stop cleanly.
    }
  }
}
