package io.hubspoke.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PricesTest {
  @Test
  void theCostModelHasEveryPriceWithRegionAndDate() throws Exception {
    Prices prices = Prices.read(RepoFiles.locate().costModel());
    for (String key : Prices.REQUIRED) {
      Prices.Price p = prices.get(key);
      assertTrue(p.usd().signum() > 0, key);
      assertTrue(p.readOn().matches("\\d{4}-\\d{2}-\\d{2}"), key + " date: " + p.readOn());
    }
    assertEquals(0.625e-6, prices.unit(Prices.DYNAMODB_WRITE), 1e-15);
    assertEquals(0.025e-3, prices.unit(Prices.SFN_TRANSITION), 1e-15);
    assertEquals(1.00e-6, prices.unit("stepfunctions.expressRequest"), 1e-15);
    assertEquals(0.06 / 3600, prices.unit("stepfunctions.expressGbSecond"), 1e-15);
    assertEquals(64, prices.get("dmap.expressBilledMb").usd().intValue());
    assertEquals(100, prices.get("dmap.expressMinBilledMs").usd().intValue());
  }

  @Test
  void aMissingPriceIsAnError() {
    String md =
        Prices.BEGIN
            + "\n| `dynamodb.writeRequestUnit` | 0.625 | 1,000,000 | WRU | us-east-1 | 2026-11-23 | x |\n"
            + Prices.END;
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Prices.parse(Path.of("x.md"), md));
    assertTrue(e.getMessage().contains("dynamodb.readRequestUnit"), e.getMessage());
  }
}
