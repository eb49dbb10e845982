package dev.peft4j.examples.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelMappingTest {

    @Test
    void givenMappingIsOrderedByIndex() {
        LabelMapping mapping = LabelMapping.of(Map.of("pos", 1, "neg", 0));
        assertThat(mapping.names()).containsExactly("neg", "pos");
        assertThat(mapping.size()).isEqualTo(2);
        assertThat(mapping.inferred()).isFalse();
        assertThat(mapping.describe()).isEqualTo("neg -> 0, pos -> 1");
    }

    @Test
    void inferredOrderIsNumericForIntegersAndLexicalOtherwise() {
        assertThat(LabelMapping.inferred(List.of("1", "-1", "10", "2", "1")).names()).containsExactly("-1", "1", "2", "10");
        assertThat(LabelMapping.inferred(List.of("pos", "neg", "Neutral")).names()).containsExactly("Neutral", "neg", "pos");
        assertThat(LabelMapping.inferred(List.of("1", "one")).names()).containsExactly("1", "one");
    }

    @Test
    void indicesMustBeZeroToNMinusOneOnceEach() {
        assertThatThrownBy(() -> LabelMapping.of(Map.of("a", 0, "b", 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a label mapping must give each of 0..1 to exactly one label, got {a=0, b=2}");
        assertThatThrownBy(() -> LabelMapping.of(Map.of("a", 0, "b", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a label mapping must give each of 0..1 to exactly one label, got {a=0, b=0}");
        assertThatThrownBy(() -> LabelMapping.of(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a label mapping needs at least one label");
        Map<String, Integer> withNull = new HashMap<>();
        withNull.put("a", null);
        assertThatThrownBy(() -> LabelMapping.of(withNull))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a label mapping needs a non-blank label and an index in every entry, got a=null");
    }

    @Test
    void columnsAndRows() {
        assertThat(Column.named("text")).hasToString("'text'");
        assertThat(Column.at(3)).hasToString("3");
        assertThatThrownBy(() -> Column.at(-1)).hasMessage("a column index must be >= 0, got -1");
        assertThatThrownBy(() -> new LabeledText("a", -1)).hasMessage("label must be >= 0, got -1");
    }
}
