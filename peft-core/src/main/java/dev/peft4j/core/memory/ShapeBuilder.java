package dev.peft4j.core.memory;

import dev.peft4j.core.spi.ModelShape;
import java.util.ArrayList;
import java.util.List;

/** Collects the tensors and linear layers of a {@link ModelShape} in model order. */
final class ShapeBuilder {

    final List<ModelShape.Tensor> tensors = new ArrayList<>();
    final List<ModelShape.Linear> linears = new ArrayList<>();

    /** Adds a vector parameter {@code (n)}. */
    ShapeBuilder vector(String name, long n) {
        tensors.add(new ModelShape.Tensor(name, 1, n));
        return this;
    }

    /** Adds a matrix parameter {@code (rows, columns)} that is not a linear layer (an embedding). */
    ShapeBuilder matrix(String name, long rows, long columns) {
        tensors.add(new ModelShape.Tensor(name, rows, columns));
        return this;
    }

    /** Adds a PyTorch {@code nn.Linear}: weight {@code (out, in)}, optional bias {@code (out)}. */
    ShapeBuilder linear(String path, int in, int out, boolean bias) {
        linears.add(new ModelShape.Linear(path, in, out, bias));
        tensors.add(new ModelShape.Tensor(path + ".weight", out, in));
        if (bias) {
            vector(path + ".bias", out);
        }
        return this;
    }

    /** Adds GPT-2's {@code Conv1D}: weight stored {@code (in, out)} ({@code fan_in_fan_out}), bias {@code (out)}. */
    ShapeBuilder conv1d(String path, int in, int out) {
        linears.add(new ModelShape.Linear(path, in, out, true));
        tensors.add(new ModelShape.Tensor(path + ".weight", in, out));
        return vector(path + ".bias", out);
    }

    /** Adds a LayerNorm ({@code weight}, {@code bias}) or, without bias, an RMSNorm. */
    ShapeBuilder norm(String path, int width, boolean bias) {
        vector(path + ".weight", width);
        return bias ? vector(path + ".bias", width) : this;
    }
}
