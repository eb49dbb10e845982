package dev.peft4j.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.function.Supplier;

/** Small helpers for optimizer tests: stand-alone parameters and one backward pass. */
final class TrainTestSupport {

    private TrainTestSupport() {}

    static Parameter parameter(NDManager manager, String name, float... values) {
        Parameter parameter = Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(values.length))
                .optInitializer(new ConstantInitializer(0))
                .build();
        parameter.initialize(manager, DataType.FLOAT32);
        parameter.getArray().set(values);
        return parameter;
    }

    /** Runs {@code loss} under a gradient collector and back-propagates it. */
    static void backward(Supplier<NDArray> loss) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(loss.get());
        }
    }

    static float[] gradient(Parameter parameter) {
        try (NDArray gradient = parameter.getArray().getGradient()) {
            return gradient.toFloatArray();
        }
    }
}
