package dev.peft4j.cuda;

/**
 * Whether peft4j's kernels can run here, and why not: the driver library loads, {@code cuInit}
 * succeeds, a device exists and accepts the PTX.
 *
 * @param available whether a context with the PTX module opened (and closed again)
 * @param reason why not, e.g. {@code cannot load the CUDA driver libcuda.so.1: ...}; empty when available
 * @param library the driver library probed
 * @param device the device's name, empty when unavailable
 * @param driverVersion {@code cuDriverGetVersion} (13000 = CUDA 13.0), 0 when unknown
 */
public record CudaAvailability(boolean available, String reason, String library, String device, int driverVersion) {

    /**
     * Probes device 0 through the library; never throws.
     *
     * @param library a path or soname, e.g. {@link CudaDriver#configuredLibrary()}
     * @return the outcome
     */
    public static CudaAvailability probe(String library) {
        CudaDriver driver;
        try {
            driver = CudaDriver.load(library);
        } catch (RuntimeException e) {
            return new CudaAvailability(false, e.getMessage() + " (no NVIDIA driver installed?)", library, "", 0);
        }
        int version = 0;
        try {
            driver.init();
            version = driver.driverVersion();
            if (driver.deviceCount() == 0) {
                return new CudaAvailability(false, "the CUDA driver (" + library + ") reports no device", library, "", version);
            }
            try (CudaContext context = CudaContext.open(driver, 0)) {
                return new CudaAvailability(true, "", library, context.deviceName(), version);
            }
        } catch (RuntimeException e) {
            return new CudaAvailability(false, e.getMessage(), library, "", version);
        }
    }
}
