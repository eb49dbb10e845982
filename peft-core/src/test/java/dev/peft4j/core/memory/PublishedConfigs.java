package dev.peft4j.core.memory;

/**
 * {@code config.json} texts written from the published values of well-known checkpoints (the
 * fields transformers reads; everything else left out).
 */
public final class PublishedConfigs {

    private PublishedConfigs() {}

    /** meta-llama/Llama-2-7b-hf. */
    public static final String LLAMA_2_7B = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
             "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
             "num_key_value_heads": 32, "vocab_size": 32000, "max_position_embeddings": 4096,
             "tie_word_embeddings": false, "torch_dtype": "float16"}""";

    /** meta-llama/Llama-3.2-3B. */
    public static final String LLAMA_3_2_3B = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 3072,
             "intermediate_size": 8192, "num_hidden_layers": 28, "num_attention_heads": 24,
             "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 128256,
             "max_position_embeddings": 131072, "tie_word_embeddings": true}""";

    /** mistralai/Mistral-7B-v0.1. */
    public static final String MISTRAL_7B = """
            {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "hidden_size": 4096,
             "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
             "num_key_value_heads": 8, "vocab_size": 32000, "max_position_embeddings": 32768,
             "tie_word_embeddings": false}""";

    /** Qwen/Qwen2-0.5B. */
    public static final String QWEN2_0_5B = """
            {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
             "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
             "num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 131072,
             "tie_word_embeddings": true}""";

    /** openai-community/gpt2 ({@code n_inner} null). */
    public static final String GPT2 = """
            {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": 768, "n_layer": 12,
             "n_head": 12, "n_inner": null, "n_positions": 1024, "vocab_size": 50257}""";

    /** google-bert/bert-base-uncased. */
    public static final String BERT_BASE = """
            {"architectures": ["BertForMaskedLM"], "model_type": "bert", "hidden_size": 768,
             "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
             "max_position_embeddings": 512, "type_vocab_size": 2, "vocab_size": 30522,
             "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1}""";
}
