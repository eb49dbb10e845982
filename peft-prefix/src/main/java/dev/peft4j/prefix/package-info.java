/**
 * Prefix tuning (Li and Liang 2021) and prompt tuning (Lester et al. 2021), plugged in through
 * {@link dev.peft4j.core.spi.PeftMethodProvider}. Implementation arrives with the methods issue.
 */
package dev.peft4j.prefix;
