package io.hubspoke.local.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import io.hubspoke.contract.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract documents under the repository's {@code docs/} (the very files the README links) and
 * a JSON Schema validator (draft 2020-12, the dialect of OpenAPI 3.1, with {@code format} asserted)
 * over them. A schema is named by its document and a JSON pointer into it, so a {@code $ref} inside
 * it resolves against the whole document, as a reader of the document resolves it.
 */
final class ContractDocs {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Map<Path, String> iris = new HashMap<>();
  private final SchemaRegistry registry;

  /** Loads {@code files} (JSON or YAML, relative to {@code docs/}). */
  ContractDocs(List<String> files) {
    Map<String, String> contents = new HashMap<>();
    for (String file : files) {
      Path path = docs().resolve(file);
      String iri = path.toUri().toString();
      iris.put(path, iri);
      contents.put(iri, Json.write(read(path)));
    }
    SchemaRegistryConfig config =
        SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build();
    registry =
        SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(config).schemas(contents));
  }

  /** The repository's {@code docs/} directory, found from the module the test runs in. */
  static Path docs() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docs/openapi.yaml"))) {
        return dir.resolve("docs");
      }
    }
    throw new IllegalStateException("no docs/openapi.yaml above " + Path.of("").toAbsolutePath());
  }

  /** A document under {@code docs/}, JSON or YAML, as a tree. */
  static JsonNode read(Path path) {
    try {
      return path.toString().endsWith(".json")
          ? Json.parse(Files.readString(path))
          : YAML.readTree(Files.readString(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What is wrong with {@code instance} against the schema at {@code pointer} (unescaped segments,
   * e.g. {@code ["paths", "/runs/{runId}", "get"]}) in {@code file}; empty if it conforms.
   */
  List<String> errors(String file, List<String> pointer, JsonNode instance) {
    String iri = iris.get(docs().resolve(file));
    if (iri == null) {
      throw new IllegalArgumentException(file + " was not loaded");
    }
    NodePath fragment = new NodePath(PathType.JSON_POINTER);
    for (String segment : pointer) {
      fragment = fragment.append(segment);
    }
    Schema schema = registry.getSchema(new SchemaLocation(AbsoluteIri.of(iri), fragment));
    return schema.validate(Json.write(instance), InputFormat.JSON).stream()
        .map(Object::toString)
        .toList();
  }
}
