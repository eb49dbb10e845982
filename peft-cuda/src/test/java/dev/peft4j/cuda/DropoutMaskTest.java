package dev.peft4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DropoutMaskTest {

    @Test
    void dropsAboutPAndScalesTheRest() {
        DropoutMask mask = new DropoutMask(0.25, 42L, 1000L);
        int dropped = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            float factor = mask.factor(i);
            if (factor == 0f) {
                dropped++;
            } else {
                assertThat(factor).isEqualTo(1f / 0.75f);
            }
        }
        // binomial(200000, 0.25): sd ~ 194, so 5 sd is about 0.005
        assertThat(dropped / (double) n).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.005));
    }

    @Test
    void theMaskIsAFunctionOfSeedAndCounter() {
        DropoutMask a = new DropoutMask(0.5, 7L, 0L);
        DropoutMask shifted = new DropoutMask(0.5, 7L, 10L);
        DropoutMask otherSeed = new DropoutMask(0.5, 8L, 0L);
        int differs = 0;
        for (int i = 0; i < 1000; i++) {
            assertThat(shifted.factor(i)).isEqualTo(a.factor(i + 10));
            differs += a.factor(i) != otherSeed.factor(i) ? 1 : 0;
        }
        assertThat(differs).isBetween(400, 600);
    }

    @Test
    void splitmix64MatchesItsPublishedFirstOutput() {
        // splitmix64 seeded with 0 first returns 0xE220A8397B1DCDAF (Vigna's reference implementation)
        assertThat(DropoutMask.hash(0L, 0L)).isEqualTo((int) (0xE220A8397B1DCDAFL >>> 32));
    }

    @Test
    void thresholdAndScaleFollowP() {
        assertThat(DropoutMask.NONE.threshold()).isZero();
        assertThat(DropoutMask.NONE.factor(123)).isEqualTo(1f);
        assertThat(Integer.toUnsignedLong(new DropoutMask(0.5, 0, 0).threshold())).isEqualTo(1L << 31);
        assertThat(new DropoutMask(0.1, 0, 0).keepScale()).isEqualTo((float) (1 / 0.9));
    }

    @Test
    void pOutsideItsRangeIsRejected() {
        assertThatThrownBy(() -> new DropoutMask(1.0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lora_dropout must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new DropoutMask(-0.1, 0, 0)).hasMessage("lora_dropout must be in [0, 1), got -0.1");
    }
}
