package dev.peft4j.examples.lm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.data.TextDocument;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaseModelKeyTest {

    private final ObjectMapper mapper = PeftRuntime.of(List.of()).objectMapper();
    private final List<TextDocument> train = List.of(new TextDocument("chapter_1", "Call me Ishmael."));
    private final List<TextDocument> heldOut = List.of(new TextDocument("chapter_10", "A Bosom Friend."));

    @Test
    void theKeyIsAStableSha256OfRecipeAndData() {
        String key = BaseModelKey.of(PretrainRecipe.standard(), mapper, train, heldOut);
        assertThat(key).matches("[0-9a-f]{64}");
        assertThat(BaseModelKey.of(PretrainRecipe.standard(), mapper, List.copyOf(train), List.copyOf(heldOut))).isEqualTo(key);
    }

    @Test
    void anyHyperParameterOrByteOfDataChangesTheKey() {
        String key = BaseModelKey.of(PretrainRecipe.standard(), mapper, train, heldOut);
        assertThat(BaseModelKey.of(PretrainRecipe.quick(), mapper, train, heldOut)).isNotEqualTo(key);
        PretrainRecipe s = PretrainRecipe.standard();
        PretrainRecipe otherSeed = new PretrainRecipe(s.hiddenSize(), s.intermediateSize(), s.numHiddenLayers(),
                s.numAttentionHeads(), s.numKeyValueHeads(), s.seqLen(), s.batchSize(), s.steps(), s.lr(), s.warmupRatio(),
                s.weightDecay(), s.maxGradNorm(), 1, s.evalWindows());
        assertThat(BaseModelKey.of(otherSeed, mapper, train, heldOut)).isNotEqualTo(key);
        assertThat(BaseModelKey.of(s, mapper, List.of(new TextDocument("chapter_1", "Call me Ishmael!")), heldOut)).isNotEqualTo(key);
        // the same text moved from train to held-out is another split
        assertThat(BaseModelKey.of(s, mapper, List.of(), List.of(train.getFirst(), heldOut.getFirst()))).isNotEqualTo(
                BaseModelKey.of(s, mapper, train, heldOut));
    }
}
