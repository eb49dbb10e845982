package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompareTableTest {

    private static MethodResult lora(MethodResult.Forgetting forgetting) {
        return new MethodResult("lora", "LORA", MethodResult.OK, null, 0.76, 0.7598, 0.5123, 74_498L, 22_640_644L,
                100.0 * 74_498 / 22_640_644, 75.3, 678.4, 1234.5,
                new MethodResult.Memory(1L << 30, (1L << 30) + (900L << 20), 900L << 20, 1L << 20, 2L << 20, 800L << 20,
                        803L << 20, 90L << 20),
                new MethodResult.Checkpoint(302_152, 90_276_408, 302_152 / 90_276_408.0), forgetting, List.of(0.7, 0.6), List.of(),
                "lora/predictions.jsonl", "lora/adapter", null);
    }

    @Test
    void rowsCarryEveryColumn() {
        MethodResult.Forgetting forgetting = new MethodResult.Forgetting("uncertainty-conll2010.csv", 3000, 0.98765, 0.9, true, true);
        assertThat(CompareTable.row(lora(forgetting))).isEqualTo("| lora | 74,498 (0.33%) | 0.7600 | 0.7598 | 0.5123 | 678 ms | 1,235 "
                + "| 900.0 / 803.0 MiB | 302.2 KB (0.33%) | 0.9877 | yes |");
        assertThat(CompareTable.row(lora(null))).endsWith("| not measured | not measured |");
    }

    @Test
    void failedRowsKeepTheColumnCount() {
        String row = CompareTable.row(MethodResult.failed("prefix", "PREFIX_TUNING", "training loss is NaN at update 2"));
        assertThat(row).startsWith("| prefix | failed: training loss is NaN at update 2 |");
        assertThat(row.chars().filter(c -> c == '|').count()).isEqualTo(CompareTable.COLUMNS + 1);
        String header = CompareTable.markdown(new CompareResults("t", 1, true, null, null, List.of())).lines().findFirst().orElseThrow();
        assertThat(header.chars().filter(c -> c == '|').count()).isEqualTo(CompareTable.COLUMNS + 1);
    }

    @Test
    void smallPercentagesKeepTheirDigits() {
        assertThat(CompareTable.percent(0.0374)).isEqualTo("0.037");
        assertThat(CompareTable.percent(100)).isEqualTo("100.00");
        assertThat(CompareTable.percent(0.9953)).isEqualTo("1.00");
        assertThat(CompareTable.bytes(35_000)).isEqualTo("35.0 KB");
        assertThat(CompareTable.bytes(90_276_408)).isEqualTo("90.3 MB");
    }
}
