package dev.peft4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Bf16Test {

    @Test
    void roundsToNearestEven() {
        assertThat(Bf16.fromFloat(1.0f)).isEqualTo((short) 0x3F80);
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to the even 1.0
        assertThat(Bf16.round(1.0f + 0x1p-8f)).isEqualTo(1.0f);
        // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even)
        assertThat(Bf16.round(1.0f + 3 * 0x1p-8f)).isEqualTo(1.0f + 0x1p-6f);
        assertThat(Bf16.round(1.0f + 0x1p-8f + 0x1p-20f)).isEqualTo(1.0f + 0x1p-7f);
        assertThat(Bf16.round(-3.140625f)).isEqualTo(-3.140625f);
        assertThat(Bf16.toFloat((short) 0xC049)).isEqualTo(-3.140625f);
    }

    @Test
    void keepsInfinityAndNan() {
        assertThat(Bf16.round(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Bf16.round(Float.NaN)).isNaN();
        assertThat(Bf16.round(Float.intBitsToFloat(0x7F800001))).isNaN();
    }
}
