package dev.peft4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.peft4j.core.model.AdapterToggle;
import dev.peft4j.core.model.Linear;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One LoRA layer against hand-computed numbers. */
class LoraLayerTest {

    private NDManager manager;
    private final AdapterToggle toggle = new AdapterToggle();

    @BeforeEach
    void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    /** {@code W = [[1,2,3],[4,5,6]]}, {@code b = [0.5,-0.5]}; A and B set by hand. */
    private LoraLayer layer(int rank, double alpha, boolean rslora) {
        Linear base = new Linear(3, 2, true);
        base.initialize(manager, DataType.FLOAT32);
        base.weight().getArray().set(new float[] {1, 2, 3, 4, 5, 6});
        base.bias().getArray().set(new float[] {0.5f, -0.5f});
        base.freezeParameters(true);
        LoraLayer layer = LoraLayer.builder().setBase(base).setRank(rank).setAdapterSwitch(toggle)
                .optAlpha(alpha).optUseRslora(rslora).optInit(InitLoraWeights.RANDOM).build();
        layer.initialize(manager, DataType.FLOAT32);
        layer.loraA().getArray().set(new float[] {1, 0, 1, 0, 1, 0});
        layer.loraB().getArray().set(new float[] {1, 2, 3, 4});
        return layer;
    }

    private float[] forward(LoraLayer layer, float... x) {
        NDArray input = manager.create(x, new Shape(1, x.length));
        return layer.forward(new ParameterStore(manager, false), new NDList(input), false).singletonOrThrow().toFloatArray();
    }

    @Test
    void namesParametersAsHfPeftWithTheAdapterKey() {
        LoraLayer layer = layer(2, 4, false);
        assertThat(layer.getParameters().keys()).containsExactly(
                "base_layer.weight", "base_layer.bias", "lora_A.default.weight", "lora_B.default.weight");
        assertThat(layer.loraA().getShape()).isEqualTo(new Shape(2, 3));
        assertThat(layer.loraB().getShape()).isEqualTo(new Shape(2, 2));
        assertThat(layer.childNames()).containsExactly("base_layer", "lora_dropout", "lora_A", "lora_B");
        assertThat(layer.getOutputShapes(new Shape[] {new Shape(4, 7, 3)})).containsExactly(new Shape(4, 7, 2));
    }

    @Test
    void forwardIsBasePlusScaledLowRankUpdate() {
        // base: W x + b = [6.5, 14.5]; A x = [2, 1]; B A x = [4, 10]; scaling 4 / 2 = 2
        LoraLayer layer = layer(2, 4, false);
        assertThat(layer.scaling()).isEqualTo(2.0);
        assertThat(forward(layer, 1, 1, 1)).containsExactly(14.5f, 34.5f);
    }

    @Test
    void rsLoraScalesByAlphaOverSqrtR() {
        LoraLayer layer = layer(2, 4, true);
        double scaling = 4 / Math.sqrt(2);
        assertThat(layer.scaling()).isEqualTo(scaling);
        float[] out = forward(layer, 1, 1, 1);
        assertThat(out[0]).isCloseTo((float) (6.5 + 4 * scaling), within(1e-5f));
        assertThat(out[1]).isCloseTo((float) (14.5 + 10 * scaling), within(1e-5f));
    }

    @Test
    void disabledAdapterComputesExactlyTheBase() {
        LoraLayer layer = layer(2, 4, false);
        try (var disabled = toggle.disable()) {
            assertThat(forward(layer, 1, 1, 1)).containsExactly(6.5f, 14.5f);
        }
        assertThat(forward(layer, 1, 1, 1)).containsExactly(14.5f, 34.5f);
    }

    @Test
    void mergeFoldsScaledBaIntoTheWeightAndUnmergeRestoresIt() {
        LoraLayer layer = layer(2, 4, false);
        float[] unmerged = forward(layer, 0.3f, -1.2f, 2.5f);
        layer.merge();
        assertThat(layer.isMerged()).isTrue();
        // W + 2 * B A, B A = [[1, 2, 1], [3, 4, 3]]
        assertThat(layer.baseWeight().getArray().toFloatArray()).containsExactly(3, 6, 5, 10, 13, 12);
        assertThat(forward(layer, 0.3f, -1.2f, 2.5f)).containsExactly(unmerged, within(1e-4f));
        layer.merge();
        assertThat(layer.baseWeight().getArray().toFloatArray()).containsExactly(3, 6, 5, 10, 13, 12);
        layer.unmerge();
        assertThat(layer.isMerged()).isFalse();
        assertThat(layer.baseWeight().getArray().toFloatArray()).containsExactly(new float[] {1, 2, 3, 4, 5, 6}, within(1e-6f));
        layer.unmerge();
        assertThat(layer.baseWeight().getArray().toFloatArray()).containsExactly(new float[] {1, 2, 3, 4, 5, 6}, within(1e-6f));
        assertThat(forward(layer, 0.3f, -1.2f, 2.5f)).containsExactly(unmerged, within(1e-4f));
    }

    @Test
    void disablingAMergedLayerUnmergesItFirstAsHf() {
        LoraLayer layer = layer(2, 4, false);
        layer.merge();
        try (var disabled = toggle.disable()) {
            assertThat(forward(layer, 1, 1, 1)).containsExactly(6.5f, 14.5f);
        }
        assertThat(layer.isMerged()).isFalse();
    }

    @Test
    void defaultInitIsKaimingUniformForAAndZeroForB() {
        Linear base = new Linear(64, 32, true);
        base.initialize(manager, DataType.FLOAT32);
        LoraLayer layer = LoraLayer.builder().setBase(base).setRank(16).setAdapterSwitch(toggle).build();
        layer.initialize(manager, DataType.FLOAT32);
        float[] a = layer.loraA().getArray().toFloatArray();
        float bound = (float) (1 / Math.sqrt(64));
        assertThat(a).hasSize(16 * 64);
        assertThat(maxAbs(a)).isGreaterThan(0.9f * bound).isLessThanOrEqualTo(bound);
        assertThat(layer.loraB().getArray().toFloatArray()).hasSize(32 * 16).containsOnly(0f);
        assertThat(layer.scaling()).isEqualTo(0.5);
    }

    @Test
    void gaussianInitDrawsAWithStdOneOverR() {
        Linear base = new Linear(256, 8, false);
        base.initialize(manager, DataType.FLOAT32);
        LoraLayer layer = LoraLayer.builder().setBase(base).setRank(4).setAdapterSwitch(toggle)
                .optInit(InitLoraWeights.GAUSSIAN).build();
        layer.initialize(manager, DataType.FLOAT32);
        float[] a = layer.loraA().getArray().toFloatArray();
        double sumSquares = 0;
        for (float v : a) {
            sumSquares += v * v;
        }
        assertThat(Math.sqrt(sumSquares / a.length)).isCloseTo(0.25, within(0.025));
        assertThat(layer.loraB().getArray().toFloatArray()).containsOnly(0f);
    }

    @Test
    void randomInitLeavesBNonZeroWithinNnLinearsBound() {
        Linear base = new Linear(16, 16, false);
        base.initialize(manager, DataType.FLOAT32);
        LoraLayer layer = LoraLayer.builder().setBase(base).setRank(4).setAdapterSwitch(toggle)
                .optInit(InitLoraWeights.RANDOM).build();
        layer.initialize(manager, DataType.FLOAT32);
        float[] b = layer.loraB().getArray().toFloatArray();
        assertThat(maxAbs(b)).isGreaterThan(0f).isLessThanOrEqualTo(0.5f);
    }

    @Test
    void builderRequiresItsValues() {
        Linear base = new Linear(3, 2, true);
        assertThatThrownBy(() -> LoraLayer.builder().setBase(base).setAdapterSwitch(toggle).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LoraLayer needs setBase, setRank and setAdapterSwitch");
        assertThatThrownBy(() -> LoraLayer.builder().setBase(base).setRank(0).setAdapterSwitch(toggle).build())
                .hasMessage("lora.r must be > 0, got 0");
        assertThatThrownBy(() -> LoraLayer.builder().setBase(base).setRank(2).setAdapterSwitch(toggle).optDropout(1).build())
                .hasMessage("dropout rate must be in [0, 1), got 1.0");
    }

    private static float maxAbs(float[] values) {
        float max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
