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

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return file;
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
        assertThat(run.out()).contains("bottleneck  n/a: bottleneck adapters wrap BERT residual output blocks (layer.N.output),"
                + " which this llama model does not have");
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
                .isEqualTo("peft: config.json model_type 't5' is not supported; supported: [bert, gpt2, llama, mistral, qwen2]\n");
    }
}
