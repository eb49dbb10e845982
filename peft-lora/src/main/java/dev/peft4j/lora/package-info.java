/**
 * LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models") and rsLoRA
 * (Kalajdzievski 2023), plugged in through {@link dev.peft4j.core.spi.PeftMethodProvider}:
 * {@link dev.peft4j.lora.LoraConfig} (HF PEFT's keys), {@link dev.peft4j.lora.LoraLayer} (the
 * wrapper of a {@code Linear}), {@link dev.peft4j.lora.LoraMethod} (injection) and
 * {@link dev.peft4j.lora.LoraProvider} ({@code LORA} / {@code lora}). DoRA (Liu et al. 2024) is to come.
 */
package dev.peft4j.lora;
