package dev.peft4j.core.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.ConfigOrigin;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TargetResolverTest {

    private static NDManager manager;
    private static TransformerModel model;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
        model = TinyBert.create(manager, TaskType.SEQ_CLS);
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static List<String> resolve(TargetSelection selection) {
        return TargetResolver.resolve(model, selection, ConfigOrigin.USER);
    }

    @Test
    void defaultsAreHfBertQueryAndValue() {
        assertThat(resolve(TargetSelection.of(null))).containsExactly(
                "bert.encoder.layer.0.attention.self.query",
                "bert.encoder.layer.0.attention.self.value",
                "bert.encoder.layer.1.attention.self.query",
                "bert.encoder.layer.1.attention.self.value");
    }

    @Test
    void namesMatchWholeSegmentsOnly() {
        assertThat(resolve(TargetSelection.of(TargetModules.names("output.dense")))).containsExactly(
                "bert.encoder.layer.0.attention.output.dense",
                "bert.encoder.layer.0.output.dense",
                "bert.encoder.layer.1.attention.output.dense",
                "bert.encoder.layer.1.output.dense");
        assertThat(resolve(TargetSelection.of(TargetModules.names("bert.encoder.layer.1.attention.self.key"))))
                .containsExactly("bert.encoder.layer.1.attention.self.key");
    }

    @Test
    void regexMustMatchTheWholePath() {
        assertThat(resolve(TargetSelection.of(TargetModules.regex(".*\\.1\\.attention\\.self\\.(query|key)"))))
                .containsExactly("bert.encoder.layer.1.attention.self.query", "bert.encoder.layer.1.attention.self.key");
        assertThatThrownBy(() -> resolve(TargetSelection.of(TargetModules.regex("query"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("target_modules regex 'query' matches no module; closest: [");
    }

    @Test
    void allLinearSkipsTheClassifier() {
        List<String> paths = resolve(TargetSelection.of(TargetModules.allLinear()));
        assertThat(paths).hasSize(2 * 6).doesNotContain("classifier").allMatch(p -> p.startsWith("bert.encoder.layer."));
    }

    @Test
    void excludeAndLayersNarrowTheSelection() {
        var selection = new TargetSelection(TargetModules.allLinear(), TargetModules.names("dense"), List.of(1));
        assertThat(resolve(selection)).containsExactly(
                "bert.encoder.layer.1.attention.self.query",
                "bert.encoder.layer.1.attention.self.key",
                "bert.encoder.layer.1.attention.self.value");
    }

    @Test
    void userEntriesThatMatchNothingAreEachNamedWithClosestPaths() {
        assertThatThrownBy(() -> resolve(TargetSelection.of(TargetModules.names("query", "qurey", "valeu"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("target_modules entry 'qurey' matches no module; closest: "
                        + "[bert.encoder.layer.0.attention.self.query, bert.encoder.layer.1.attention.self.query, "
                        + "bert.encoder.layer.0.attention.self.key]; "
                        + "target_modules entry 'valeu' matches no module; closest: "
                        + "[bert.encoder.layer.0.attention.self.value, bert.encoder.layer.1.attention.self.value, "
                        + "bert.encoder.layer]");
    }

    @Test
    void checkpointConfigsNeedOnlyOneMatchOverall() {
        var selection = TargetSelection.of(TargetModules.names("query", "q_proj"));
        assertThat(TargetResolver.resolve(model, selection, ConfigOrigin.CHECKPOINT)).hasSize(2);
        assertThatThrownBy(() -> TargetResolver.resolve(model, TargetSelection.of(TargetModules.names("q_proj")), ConfigOrigin.CHECKPOINT))
                .hasMessageStartingWith("target_modules [q_proj] selects no module");
    }

    @Test
    void modulesToSaveFollowTheSameRules() {
        assertThat(TargetResolver.resolveModulesToSave(model, List.of("classifier", "score"), ConfigOrigin.CHECKPOINT))
                .containsExactly("classifier");
        assertThatThrownBy(() -> TargetResolver.resolveModulesToSave(model, List.of("classifier", "score"), ConfigOrigin.USER))
                .hasMessageStartingWith("modules_to_save entry 'score' matches no module; closest: [");
    }

    @Test
    void layerIndexOutOfRangeIsRejected() {
        assertThatThrownBy(() -> resolve(new TargetSelection(null, null, List.of(2))))
                .hasMessage("layers_to_transform entry 2 is out of range; the model has layers 0..1");
    }

    @Test
    void targetModulesJsonSpellings() {
        assertThat(TargetModules.fromJson(List.of("query", "value"))).isEqualTo(TargetModules.names("query", "value"));
        assertThat(TargetModules.fromJson("all-linear").kind()).isEqualTo(TargetModules.Kind.ALL_LINEAR);
        assertThat(TargetModules.fromJson(".*query").kind()).isEqualTo(TargetModules.Kind.REGEX);
        assertThat(TargetModules.regex(".*query").toJson()).isEqualTo(".*query");
        assertThatThrownBy(() -> TargetModules.fromJson(3))
                .hasMessage("target_modules must be a list of module names, a regex string or \"all-linear\", got 3");
        assertThatThrownBy(() -> TargetModules.regex("(query"))
                .hasMessageStartingWith("target_modules regex '(query' is invalid: ");
    }
}
