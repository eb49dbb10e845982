package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {

    static final String LLAMA_2_7B = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
             "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
             "num_key_value_heads": 32, "vocab_size": 32000, "max_position_embeddings": 4096}""";

    static final String BERT_BASE = """
            {"model_type": "bert", "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
             "intermediate_size": 3072, "max_position_embeddings": 512, "vocab_size": 30522}""";

    static final String GPT2 = """
            {"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024, "vocab_size": 50257}""";

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return write("config.json", json);
    }

    private Path write(String name, String json) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, json);
        return file;
    }

    private static void assertFails(CliRun run, String message) {
        assertThat(run.err()).isEqualTo("peft: " + message + "\n");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void plansFullAgainstEveryInstalledMethod() throws IOException {
        CliRun run = CliRun.of("plan", "--model-config", write(LLAMA_2_7B).toString(), "--r", "16", "--max-length", "512");
        assertThat(run.status()).as(run.err()).isZero();
        String[] lines = run.out().split("\n");
        assertThat(lines[0]).contains("(llama): 6,738,415,616 parameters, 32 layers, hidden 4096, 32 heads (32 KV)");
        assertThat(lines[1]).isEqualTo("frozen weights bf16, adamw, batch 1 x 512 tokens");
        assertThat(run.out()).containsPattern("full +6,738,415,616 +6,738,415,616 \\(100\\.00%\\) +0\\.00 +12\\.55 +12\\.55 +75\\.31 .*  no  no  no yes");
        assertThat(run.out()).containsPattern("lora +6,746,804,224 +8,388,608 \\( +0\\.12%\\) +12\\.55 .* yes yes yes yes");
        // pfeiffer after mlp.down_proj: m = 4096 / 16 = 256, 32 adapters of 2 d m + d + m = 2,101,504
        assertThat(run.out()).containsPattern("bottleneck +6,805,663,744 +67,248,128 \\( +0\\.99%\\)");
        assertThat(run.out()).containsPattern("prefix +6,743,658,496 +5,242,880");
        assertThat(run.out()).containsPattern("prompt +6,738,497,536 +81,920");
    }

    @Test
    void nf4AndRecomputationShrinkTheLoraPlan() throws IOException {
        CliRun run = CliRun.of("plan", "--model-config", write(LLAMA_2_7B).toString(), "--methods", "lora", "--dtype", "nf4",
                "--recompute", "--batch-size", "4", "--max-length", "2048");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("frozen weights nf4, adamw, batch 4 x 2048 tokens, full activation recomputation");
        assertThat(run.out()).doesNotContain("prefix");
        // NF4 linears (6,476,005,376 x 0.5159 bytes) + bf16 embeddings, head and norms (262,410,240 x 2): 3.87 GB = 3.60 GiB
        assertThat(run.out()).containsPattern("lora +6,742,609,920 +4,194,304 \\( +0\\.06%\\) +3\\.60 ");
    }

    @Test
    void badInputIsOneLineNamingTheValue() throws IOException {
        Path config = write(LLAMA_2_7B);
        assertThat(CliRun.of("plan").err()).isEqualTo("peft: --model-config is required (or --measure)\n");
        assertThat(CliRun.of("plan", "--model-config", config.toString(), "--dtype", "fp8").err())
                .isEqualTo("peft: dtype must be one of [fp32, fp16, bf16, int8, nf4], got 'fp8'\n");
        assertThat(CliRun.of("plan", "--model-config", config.toString(), "--batch-size", "0").err())
                .isEqualTo("peft: batch_size must be > 0, got 0\n");
        assertThat(CliRun.of("plan", "--model-config", config.toString(), "--max-length", "8192").err())
                .isEqualTo("peft: --max-length 8192 exceeds the model's max_position_embeddings 4096\n");
        assertThat(CliRun.of("plan", "--model-config", config.toString(), "--rank", "4").err())
                .startsWith("peft: unknown option '--rank': no planned method has it (methods: [full, ");
        assertThat(CliRun.of("plan", "--model-config", write("{\"model_type\": \"t5\"}").toString()).err())
                .isEqualTo("peft: " + dir.resolve("config.json") + " model_type 't5' is not supported; supported: [bert, gpt2, llama, mistral, qwen2]\n");
    }

    @Test
    void errorsNameTheFileGiven() throws IOException {
        Path file = write("llama-7b.json", LLAMA_2_7B.replace("\"hidden_size\": 4096", "\"hidden_size\": 0"));
        assertFails(CliRun.of("plan", "--model-config", file.toString()), file + " (llama) hidden_size must be > 0, got 0");
        Path broken = write("broken.json", "{");
        assertThat(CliRun.of("plan", "--model-config", broken.toString()).err()).startsWith("peft: " + broken + " is not valid JSON: ");
    }

    @Test
    void aBadMethodValueFailsTheCommand() throws IOException {
        String config = write(LLAMA_2_7B).toString();
        assertFails(CliRun.of("plan", "--model-config", config, "--r", "0"), "lora.r must be > 0, got 0");
        assertFails(CliRun.of("plan", "--model-config", config, "--r", "-3"), "lora.r must be > 0, got -3");
        assertFails(CliRun.of("plan", "--model-config", config, "--num-virtual-tokens", "0"), "prefix.num_virtual_tokens must be > 0, got 0");
        assertFails(CliRun.of("plan", "--model-config", config, "--reduction-factor", "0"), "bottleneck.reduction_factor must be > 0, got 0");
        assertFails(CliRun.of("plan", "--model-config", config, "--lora-alpha", "abc"),
                "--lora-alpha must be a finite number, got abc");
        CliRun target = CliRun.of("plan", "--model-config", config, "--target-modules", "foo_proj");
        assertThat(target.status()).isEqualTo(1);
        assertThat(target.out()).isEmpty();
        assertThat(target.err()).startsWith("peft: method 'lora': target_modules entry 'foo_proj' matches no module; closest: [")
                .hasLineCount(1);
    }

    @Test
    void bottleneckAdaptersArePlannedInDecoderLayers() throws IOException {
        CliRun run = CliRun.of("plan", "--model-config", write(LLAMA_2_7B).toString(), "--reduction-factor", "8");
        assertThat(run.status()).as(run.err()).isZero();
        // m = 4096 / 8 = 512: 32 adapters of 2 * 4096 * 512 + 4096 + 512 = 4,198,912
        assertThat(run.out()).containsPattern("bottleneck +6,872,780,800 +134,365,184 \\( +1\\.96%\\)");
    }

    @Test
    void virtualTokensMustFitThePositions() throws IOException {
        String bert = write(BERT_BASE).toString();
        CliRun unnamed = CliRun.of("plan", "--model-config", bert, "--num-virtual-tokens", "20", "--max-length", "500");
        assertThat(unnamed.status()).as(unnamed.err()).isZero();
        assertThat(unnamed.out()).contains("prefix      n/a: max_length 500 + 20 virtual tokens need 520 positions,"
                + " more than max_position_embeddings 512");
        assertThat(unnamed.out()).contains("prompt      n/a: max_length 500 + 20 virtual tokens need 520 positions,"
                + " more than max_position_embeddings 512");
        assertThat(unnamed.out()).containsPattern("lora +\\d");
        assertFails(CliRun.of("plan", "--model-config", bert, "--methods", "prefix,prompt", "--num-virtual-tokens", "600"),
                "method 'prefix': max_length 512 + 600 virtual tokens need 1112 positions, more than max_position_embeddings 512");
        assertFails(CliRun.of("plan", "--model-config", write("gpt2.json", GPT2).toString(), "--methods", "prompt",
                "--num-virtual-tokens", "600", "--max-length", "512"),
                "method 'prompt': max_length 512 + 600 virtual tokens need 1112 positions, more than max_position_embeddings 1024");
        assertFails(CliRun.of("plan", "--model-config", bert, "--max-length", "513"),
                "--max-length 513 exceeds the model's max_position_embeddings 512");
        CliRun fits = CliRun.of("plan", "--model-config", bert, "--methods", "prompt", "--num-virtual-tokens", "12", "--max-length", "500");
        assertThat(fits.status()).as(fits.err()).isZero();
        assertThat(fits.out()).containsPattern("prompt +\\d");
    }

    @Test
    void measureAndStepsGoTogether() throws IOException {
        assertFails(CliRun.of("plan", "--measure", "--model-config", write(LLAMA_2_7B).toString()),
                "--measure runs the MiniLM recipe and takes no --model-config; drop one of them");
        assertFails(CliRun.of("plan", "--model-config", write(LLAMA_2_7B).toString(), "--steps", "3"),
                "--steps applies to --measure only; add --measure or drop --steps");
        assertFails(CliRun.of("plan", "--measure", "--steps", "0"), "--steps must be >= 1, got 0");
        assertFails(CliRun.of("plan", "--measure", "--dtype", "fp16", "--r", "16"),
                "--measure runs the fixed MiniLM recipe (fp32, AdamW, batch 32, max length 64, each method's preset)"
                        + " and takes no [--dtype, --r, 16]; drop them or drop --measure");
    }

    @Test
    void extremeConfigsFailInOneLine() throws IOException {
        String layers = LLAMA_2_7B.replace("\"num_hidden_layers\": 32", "\"num_hidden_layers\": 1000000");
        assertFails(CliRun.of("plan", "--model-config", write(layers).toString()),
                dir.resolve("config.json") + " (llama) num_hidden_layers must be <= 1000 (the planner lists every layer), got 1000000");
        String huge = LLAMA_2_7B.replace("\"hidden_size\": 4096", "\"hidden_size\": 1073741824")
                .replace("\"intermediate_size\": 11008", "\"intermediate_size\": 1073741824")
                .replace("\"vocab_size\": 32000", "\"vocab_size\": 1073741824");
        assertFails(CliRun.of("plan", "--model-config", write(huge).toString()),
                "model too large to account: " + dir.resolve("config.json") + " (llama) parameter count overflows 64 bits");
        String wide = LLAMA_2_7B.replace("\"hidden_size\": 4096", "\"hidden_size\": 33554432")
                .replace("\"intermediate_size\": 11008", "\"intermediate_size\": 1073741824");
        CliRun run = CliRun.of("plan", "--model-config", write(wide).toString(), "--methods", "lora");
        assertThat(run.status()).as(run.err()).isZero();
        // full fine-tuning's AdamW state, 3.6e18 parameters x 12 bytes, does not fit a long: named, never wrapped
        assertThat(run.out()).contains("full        n/a: model too large to account: optimizer state bytes overflows 64 bits (llama,"
                + " hidden_size 33554432, intermediate_size 1073741824, vocab_size 32000, 32 layers, batch 1 x 512 tokens)");
        // LoRA r 8 on q_proj, v_proj: 32 layers x 2 x 8 x (33554432 + 33554432) = 34,359,738,368 trainable, 64 GiB in bf16
        assertThat(run.out()).containsPattern("lora +3,602,881,885,920,821,248 +34,359,738,368 \\( +0\\.00%\\) +6710890404\\.06 +64\\.00 +64\\.00 +384\\.00 ");
    }
}
