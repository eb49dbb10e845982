package dev.peft4j.examples.lm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One method of {@code peft compare-lm}.
 *
 * @param alias the method's CLI name ({@code lora}), also its folder in the output
 * @param peftType its {@code peft_type}
 * @param methodConfig its config keys (HF names) including {@code peft_type}
 * @param lr its peak learning rate
 */
public record LmMethodPlan(String alias, String peftType, ObjectNode methodConfig, double lr) {}
