package dev.peft4j.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.examples.data.LabeledText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Nearest-rank percentiles, per-adapter tallies and the seeded request stream of serve-demo. */
class LatencyStatsTest {

    @Test
    void nearestRankPercentiles() {
        long[] nanos = new long[20];
        for (int i = 0; i < 20; i++) {
            nanos[i] = (20 - i) * 1_000_000L;   // 20 ms down to 1 ms
        }
        assertThat(LatencyStats.percentileMillis(nanos, 50)).isEqualTo(10.0);   // rank ceil(0.5 * 20) = 10
        assertThat(LatencyStats.percentileMillis(nanos, 95)).isEqualTo(19.0);   // rank 19
        assertThat(LatencyStats.percentileMillis(nanos, 100)).isEqualTo(20.0);
        assertThat(LatencyStats.percentileMillis(new long[] {3_500_000L}, 1)).isEqualTo(3.5);
        assertThatThrownBy(() -> LatencyStats.percentileMillis(nanos, 0)).hasMessage("percentile must be in (0, 100], got 0.0");
        assertThatThrownBy(() -> LatencyStats.percentileMillis(new long[0], 50)).hasMessage("no latencies");
    }

    @Test
    void tallyCountsAccuracyAndGrows() {
        AdapterTally tally = new AdapterTally();
        for (int i = 0; i < 40; i++) {
            tally.add((i + 1) * 1_000_000L, i % 4 != 0);
        }
        assertThat(tally.requests()).isEqualTo(40);
        assertThat(tally.accuracy()).isEqualTo(0.75);
        assertThat(tally.percentileMillis(50)).isEqualTo(20.0);
        assertThat(new AdapterTally().accuracy()).isNaN();
    }

    @Test
    void theStreamIsSeededAndDrawsFromEveryAdapter() {
        Map<String, List<LabeledText>> heldOut = new LinkedHashMap<>();
        heldOut.put("a", List.of(new LabeledText("a0", 0), new LabeledText("a1", 1)));
        heldOut.put("b", List.of(new LabeledText("b0", 1)));
        List<ServeRequest> first = RequestStream.draw(heldOut, 200, 7);
        assertThat(first).isEqualTo(RequestStream.draw(heldOut, 200, 7)).isNotEqualTo(RequestStream.draw(heldOut, 200, 8));
        long a = first.stream().filter(request -> request.adapter().equals("a")).count();
        assertThat(a).isBetween(70L, 130L);   // uniform over two adapters: 100 +- 4.2 sigma
        assertThat(first).allMatch(request -> request.text().startsWith(request.adapter()));
        assertThat(first).contains(new ServeRequest("b", "b0", 1), new ServeRequest("a", "a1", 1));
        assertThatThrownBy(() -> RequestStream.draw(heldOut, 0, 7)).hasMessage("--requests must be > 0, got 0");
    }
}
