package io.hubspoke.local.emulator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Java handler class from a jar, run as Lambda's Java runtime runs it: the class loaded once (its
 * jar in a class loader of its own, beside the runtime's, so it shares {@code
 * aws-lambda-java-core}), one instance per execution environment made with its public no-argument
 * constructor. A {@link RequestStreamHandler} gets the event's bytes; a {@link RequestHandler} gets
 * the event deserialized into its input type and its output serialized to JSON, with Jackson
 * (unknown properties ignored, as the runtime ignores them). An exception is a function error
 * {@code {"errorMessage","errorType":<class name>,"stackTrace"}}.
 */
final class JavaHandlerFunctionCode implements FunctionCode {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path jar;
  private final String className;
  private Class<?> handlerClass; // guarded by this; loaded on the first cold start

  JavaHandlerFunctionCode(Path jar, String className) {
    this.jar = jar;
    this.className = className;
  }

  Path jar() {
    return jar;
  }

  String className() {
    return className;
  }

  private synchronized Class<?> handlerClass() throws Exception {
    if (handlerClass == null) {
      if (!Files.isRegularFile(jar)) {
        throw new ClassNotFoundException(className + ": the jar " + jar + " is not a file");
      }
      // Never closed: the handler's classes are used until the runtime stops.
      URLClassLoader loader =
          new URLClassLoader(
              new URL[] {jar.toUri().toURL()}, JavaHandlerFunctionCode.class.getClassLoader());
      Class<?> loaded = Class.forName(className, true, loader);
      if (!RequestHandler.class.isAssignableFrom(loaded)
          && !RequestStreamHandler.class.isAssignableFrom(loaded)) {
        throw new ClassCastException(
            className + " implements neither RequestHandler nor RequestStreamHandler");
      }
      handlerClass = loaded;
    }
    return handlerClass;
  }

  @Override
  public ExecutionEnvironment newEnvironment(LocalFunction function) throws Exception {
    Object handler = handlerClass().getConstructor().newInstance();
    if (handler instanceof RequestStreamHandler stream) {
      return (event, context) -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
          stream.handleRequest(new ByteArrayInputStream(event), out, context);
        } catch (Exception e) {
          return error(e);
        }
        return FunctionResponse.ok(out.toByteArray());
      };
    }
    Method method = handleRequest(handler.getClass());
    JavaType input = JSON.getTypeFactory().constructType(method.getGenericParameterTypes()[0]);
    return (event, context) -> {
      Object output;
      try {
        Object argument = JSON.readValue(event, input);
        output = method.invoke(handler, argument, context);
      } catch (InvocationTargetException e) {
        return error(e.getCause());
      } catch (Exception e) {
        return error(e);
      }
      return FunctionResponse.ok(JSON.writeValueAsBytes(output));
    };
  }

  /** The class's own {@code handleRequest(I, Context)}, whose parameter type is the input type. */
  private static Method handleRequest(Class<?> type) throws NoSuchMethodException {
    for (Method method : type.getMethods()) {
      if (method.getName().equals("handleRequest")
          && !method.isBridge()
          && method.getParameterCount() == 2
          && method.getParameterTypes()[1] == Context.class) {
        method.setAccessible(true);
        return method;
      }
    }
    throw new NoSuchMethodException(type.getName() + ".handleRequest(I, Context)");
  }

  /** A function error as the Java runtime reports an exception the handler threw. */
  static FunctionResponse error(Throwable error) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put("errorMessage", String.valueOf(error.getMessage()));
    payload.put("errorType", error.getClass().getName());
    ArrayNode trace = payload.putArray("stackTrace");
    for (StackTraceElement frame : error.getStackTrace()) {
      trace.add(frame.toString());
    }
    try {
      return FunctionResponse.errorPayload(JSON.writeValueAsBytes(payload));
    } catch (Exception e) {
      return FunctionResponse.error(error.getClass().getName(), String.valueOf(error.getMessage()));
    }
  }
}
