/**
 * LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models") and its variants
 * rsLoRA (Kalajdzievski 2023) and DoRA (Liu et al. 2024), plugged in through
 * {@link dev.peft4j.core.spi.PeftMethodProvider}. Implementation arrives with the LoRA issue.
 */
package dev.peft4j.lora;
