package io.hubspoke.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {
  private static List<Boolean> schedule(long seed) {
    FaultInjector injector = new FaultInjector(seed, Soak.ratesFor(seed));
    List<Boolean> decisions = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      for (FaultKind kind : FaultKind.values()) {
        decisions.add(injector.fires(kind, "event-" + i));
      }
    }
    return decisions;
  }

  @Test
  void theSameSeedGivesTheSameRatesAndTheSameSchedule() {
    assertEquals(Soak.ratesFor(7), Soak.ratesFor(7));
    assertEquals(schedule(7), schedule(7));
    assertNotEquals(schedule(7), schedule(8));
  }

  @Test
  void ratesStayWithinHalfAndOneAndAHalfTimesTheBase() {
    Soak.ratesFor(42)
        .forEach(
            (kind, rate) -> {
              double base = Soak.BASE_RATES.get(kind);
              assertTrue(rate >= base * 0.5 && rate < base * 1.5, kind + ": " + rate);
            });
  }

  @Test
  void aStoppedInjectorInjectsNothingAndCountsWhatItDid() {
    FaultInjector injector = new FaultInjector(1, Map.of(FaultKind.THROTTLE, 1.0));
    assertTrue(injector.fires(FaultKind.THROTTLE, "a"));
    injector.stop();
    assertTrue(!injector.fires(FaultKind.THROTTLE, "b"));
    assertEquals(1L, injector.injected().get(FaultKind.THROTTLE));
  }

  @Test
  void stoppingTaskFaultsLeavesEventFaultsUntilEverythingStops() {
    FaultInjector injector =
        new FaultInjector(1, Map.of(FaultKind.THROTTLE, 1.0, FaultKind.EVENT_DROP, 1.0));
    injector.stopTaskFaults();
    assertTrue(!injector.fires(FaultKind.THROTTLE, "a"));
    assertTrue(injector.fires(FaultKind.EVENT_DROP, "a"));
    injector.stop();
    assertTrue(!injector.fires(FaultKind.EVENT_DROP, "b"));
    assertEquals(1L, injector.injected().get(FaultKind.EVENT_DROP));
  }
}
