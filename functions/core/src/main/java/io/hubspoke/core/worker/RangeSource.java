package io.hubspoke.core.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.hubspoke.contract.api.RunSource;
import io.hubspoke.contract.validation.FieldError;
import io.hubspoke.worker.ItemPage;
import io.hubspoke.worker.ItemSource;
import io.hubspoke.worker.ItemSourceException;
import io.hubspoke.worker.SourceContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in {@code range} source: the numbers {@code start, start + step, …} below {@code end},
 * {@value RunSource.Range#PAGE_ITEMS} per page. Its cursor is the position of the page's first
 * number, in decimal.
 */
final class RangeSource implements ItemSource {
  private final RunSource.Range range;

  RangeSource(RunSource.Range range) {
    this.range = range;
  }

  @Override
  public String name() {
    return "range";
  }

  @Override
  public List<FieldError> validateConfig(JsonNode config) {
    return List.of(); // the request parser checks start, end and step
  }

  @Override
  public ItemPage page(SourceContext context) {
    long from;
    try {
      from = context.cursor() == null ? 0 : Long.parseLong(context.cursor());
    } catch (NumberFormatException e) {
      throw new ItemSourceException("not a range cursor: " + context.cursor(), false);
    }
    long to = Math.min(range.count(), from + RunSource.Range.PAGE_ITEMS);
    List<JsonNode> items = new ArrayList<>((int) Math.max(0, to - from));
    for (long position = from; position < to; position++) {
      items.add(LongNode.valueOf(range.start() + position * range.step()));
    }
    return new ItemPage(items, to < range.count() ? Long.toString(to) : null);
  }
}
