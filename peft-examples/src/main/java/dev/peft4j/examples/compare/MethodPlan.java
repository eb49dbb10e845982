package dev.peft4j.examples.compare;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One method of a comparison as it will run: its names, its config keys and its training recipe,
 * after every layer of precedence was applied and both were validated.
 *
 * @param alias the method's CLI name ({@code lora}); also its folder in the output
 * @param peftType the method's {@code peft_type}
 * @param methodConfig the method's config keys (HF names) including {@code peft_type}
 * @param recipe the {@link dev.peft4j.core.train.TrainingRecipe} keys ({@code lr}, {@code batch_size}, ...)
 */
public record MethodPlan(String alias, String peftType, ObjectNode methodConfig, ObjectNode recipe) {}
