package dev.peft4j.core.io.onnx;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.proto.StringStringEntryProto;
import dev.peft4j.core.io.onnx.proto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes ONNX {@code TensorProto}s: FLOAT (1) into fp32 {@link HostTensor}s and INT64 (7) into
 * {@code long[]}, from little-endian {@code raw_data} or the typed {@code float_data} /
 * {@code int64_data} fields. Tensors kept in external files ({@code data_location = EXTERNAL}) are
 * rejected.
 */
final class OnnxTensors {

    /** ONNX {@code TensorProto.DataType.FLOAT}. */
    static final int FLOAT = 1;
    /** ONNX {@code TensorProto.DataType.INT64}. */
    static final int INT64 = 7;

    private static final int EXTERNAL = 1;

    private static final String[] TYPE_NAMES = {
        "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
        "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
    };

    private OnnxTensors() {}

    /**
     * @param tensor a FLOAT tensor
     * @param label how to name it in messages, e.g. {@code initializer 'x'}
     * @param source the file name used in messages
     * @return its values, shape as stored
     * @throws ModelFormatException if it is not FLOAT, is external, or its data does not match its shape
     */
    static HostTensor toFloat(TensorProto tensor, String label, String source) throws ModelFormatException {
        int count = checkInline(tensor, FLOAT, label, source);
        float[] values = new float[count];
        if (tensor.hasRawData()) {
            checkRawSize(tensor, count, Float.BYTES, label, source);
            ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().get(values);
        } else {
            checkTypedCount(tensor.getFloatDataCount(), "float_data", tensor, count, label, source);
            for (int i = 0; i < count; i++) {
                values[i] = tensor.getFloatData(i);
            }
        }
        return new HostTensor(tensor.getDimsList().stream().mapToLong(Long::longValue).toArray(), values);
    }

    /**
     * @param tensor an INT64 tensor
     * @param label how to name it in messages
     * @param source the file name used in messages
     * @return its values in row-major order
     * @throws ModelFormatException if it is not INT64, is external, or its data does not match its shape
     */
    static long[] toLongs(TensorProto tensor, String label, String source) throws ModelFormatException {
        int count = checkInline(tensor, INT64, label, source);
        long[] values = new long[count];
        if (tensor.hasRawData()) {
            checkRawSize(tensor, count, Long.BYTES, label, source);
            tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
        } else {
            checkTypedCount(tensor.getInt64DataCount(), "int64_data", tensor, count, label, source);
            for (int i = 0; i < count; i++) {
                values[i] = tensor.getInt64Data(i);
            }
        }
        return values;
    }

    /** @return the ONNX name of a data type, e.g. {@code 10 (FLOAT16)} */
    static String typeName(int dataType) {
        String name = dataType >= 0 && dataType < TYPE_NAMES.length ? TYPE_NAMES[dataType] : "unknown";
        return dataType + " (" + name + ")";
    }

    static String shape(TensorProto tensor) {
        return tensor.getDimsList().toString();
    }

    private static int checkInline(TensorProto tensor, int dataType, String label, String source)
            throws ModelFormatException {
        if (tensor.getDataLocation() == EXTERNAL) {
            String location = tensor.getExternalDataList().stream()
                    .filter(entry -> entry.getKey().equals("location"))
                    .map(StringStringEntryProto::getValue)
                    .findFirst()
                    .map(file -> ", location '" + file + "'")
                    .orElse("");
            throw new ModelFormatException(label + " in " + source + " uses external data (data_location=EXTERNAL"
                    + location + "); only tensors stored inside the .onnx file are supported");
        }
        if (tensor.getDataType() != dataType) {
            throw new ModelFormatException(label + " in " + source + " has data_type "
                    + typeName(tensor.getDataType()) + "; expected " + typeName(dataType));
        }
        long count;
        try {
            count = HostTensor.elementCount(tensor.getDimsList().stream().mapToLong(Long::longValue).toArray());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ModelFormatException(label + " in " + source + " has an invalid shape " + shape(tensor), e);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(label + " in " + source + " has " + count
                    + " elements, more than a Java array holds");
        }
        return (int) count;
    }

    private static void checkRawSize(TensorProto tensor, int count, int elementBytes, String label, String source)
            throws ModelFormatException {
        long needed = (long) count * elementBytes;
        if (tensor.getRawData().size() != needed) {
            throw new ModelFormatException(label + " in " + source + " has " + tensor.getRawData().size()
                    + " bytes of raw_data; shape " + shape(tensor) + " of " + typeName(tensor.getDataType())
                    + " needs " + needed);
        }
    }

    private static void checkTypedCount(int actual, String field, TensorProto tensor, int count, String label,
            String source) throws ModelFormatException {
        if (actual != count) {
            throw new ModelFormatException(label + " in " + source + " has " + actual + " " + field
                    + " values; shape " + shape(tensor) + " needs " + count);
        }
    }
}
