package dev.peft4j.cuda;

/**
 * A CUDA driver call returned an error. The message names the call and the driver's error name
 * and text, e.g. {@code cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)}.
 */
public final class CudaException extends RuntimeException {

    private final String call;
    private final int status;

    CudaException(String call, int status, String name, String text) {
        super(call + " failed: " + name + " (" + text + ")");
        this.call = call;
        this.status = status;
    }

    /** @return the driver function that failed, e.g. {@code cuLaunchKernel} */
    public String call() {
        return call;
    }

    /** @return the {@code CUresult} it returned */
    public int status() {
        return status;
    }
}
