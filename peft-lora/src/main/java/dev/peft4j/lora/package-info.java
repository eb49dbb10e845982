/**
 * LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"), rsLoRA
 * (Kalajdzievski 2023) and DoRA (Liu et al. 2024, "DoRA: Weight-Decomposed Low-Rank Adaptation",
 * {@code use_dora}, {@link dev.peft4j.lora.LoraMagnitudeVector}), plugged in through
 * {@link dev.peft4j.core.spi.PeftMethodProvider}:
 * {@link dev.peft4j.lora.LoraConfig} (HF PEFT's keys), {@link dev.peft4j.lora.LoraLayer} (the
 * wrapper of a {@code Linear}), {@link dev.peft4j.lora.LoraMethod} (injection) and
 * {@link dev.peft4j.lora.LoraProvider} ({@code LORA} / {@code lora}).
 */
package dev.peft4j.lora;
