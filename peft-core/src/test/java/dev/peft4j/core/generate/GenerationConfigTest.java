package dev.peft4j.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerationConfigTest {

    @Test
    void defaultsAreHfs() {
        GenerationConfig config = new GenerationConfig(null, null, null, null, null, null, null, null, null);
        assertThat(config.maxNewTokens()).isEqualTo(20);
        assertThat(config.doSample()).isFalse();
        assertThat(config.temperature()).isEqualTo(1.0);
        assertThat(config.topK()).isEqualTo(50);
        assertThat(config.topP()).isEqualTo(1.0);
        assertThat(config.eosTokenId()).isEmpty();
        assertThat(config.padTokenId()).isZero();
        assertThat(config.useCache()).isTrue();
        assertThat(config.warpers()).isEmpty();
        assertThat(config.withEosTokenId(List.of(5, 9)).padTokenId()).isZero();
        assertThat(new GenerationConfig(3, null, null, null, null, null, List.of(5, 9), null, null).padTokenId()).isEqualTo(5);
        // do_sample with the defaults applies HF's top_k 50 only
        assertThat(new GenerationConfig(3, true, null, null, null, null, null, null, null).warpers())
                .containsExactly(new TopKWarper(50));
    }

    @Test
    void readsHfJsonNames() throws Exception {
        String json = """
                {"max_new_tokens": 7, "do_sample": true, "temperature": 0.7, "top_k": 0, "top_p": 0.9,
                 "seed": 3, "eos_token_id": [2, 10], "pad_token_id": 1, "use_cache": false}""";
        GenerationConfig config = new ObjectMapper().readValue(json, GenerationConfig.class);
        assertThat(config).isEqualTo(new GenerationConfig(7, true, 0.7, 0, 0.9, 3L, List.of(2, 10), 1, false));
        assertThat(config.warpers()).containsExactly(new TemperatureWarper(0.7), new TopPWarper(0.9));
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> GenerationConfig.greedy(0)).hasMessage("generation.max_new_tokens must be > 0, got 0");
        assertThatThrownBy(() -> GenerationConfig.sampling(5, -1, 0, 1, 0))
                .hasMessage("generation.temperature must be finite and > 0, got -1.0");
        assertThatThrownBy(() -> GenerationConfig.sampling(5, 1, -2, 1, 0))
                .hasMessage("generation.top_k must be >= 0 (0 disables it), got -2");
        assertThatThrownBy(() -> GenerationConfig.sampling(5, 1, 0, 1.2, 0)).hasMessage("generation.top_p must be in [0, 1], got 1.2");
        assertThatThrownBy(() -> GenerationConfig.greedy(5).withEosTokenId(List.of(-1)))
                .hasMessage("generation.eos_token_id entries must be >= 0, got -1");
    }
}
