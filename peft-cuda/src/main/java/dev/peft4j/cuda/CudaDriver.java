package dev.peft4j.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * FFM bindings to the CUDA driver API ({@code libcuda.so.1}, CUDA 12/13 ABI): initialisation,
 * primary contexts, PTX modules, device memory, kernel launches and error strings. Every call's
 * {@code CUresult} is checked; a failure throws {@link CudaException} naming the call and the
 * error ({@code cuModuleLoadData failed: CUDA_ERROR_INVALID_PTX (a PTX JIT compilation failed)}).
 * Device pointers ({@code CUdeviceptr}) are {@code long}; handles ({@code CUcontext},
 * {@code CUmodule}, {@code CUfunction}) are {@link MemorySegment} addresses. Thread-safe (the
 * driver is); contexts are per thread, see {@link #ctxSetCurrent}.
 */
public final class CudaDriver {

    /** The system property naming the driver library to load (a path or a soname). */
    public static final String LIBRARY_PROPERTY = "peft.cuda.libcuda";
    /** The environment variable naming the driver library when the property is not set. */
    public static final String LIBRARY_ENV = "PEFT_CUDA_LIBCUDA";
    /** The driver's soname, found by the dynamic loader. */
    public static final String DEFAULT_LIBRARY = "libcuda.so.1";

    private static final Map<String, CudaDriver> LOADED = new ConcurrentHashMap<>();
    private static final Linker LINKER = Linker.nativeLinker();

    private final String library;
    private final MethodHandle cuInit;
    private final MethodHandle cuDriverGetVersion;
    private final MethodHandle cuDeviceGetCount;
    private final MethodHandle cuDeviceGet;
    private final MethodHandle cuDeviceGetName;
    private final MethodHandle cuDevicePrimaryCtxRetain;
    private final MethodHandle cuDevicePrimaryCtxRelease;
    private final MethodHandle cuCtxSetCurrent;
    private final MethodHandle cuCtxSynchronize;
    private final MethodHandle cuModuleLoadData;
    private final MethodHandle cuModuleUnload;
    private final MethodHandle cuModuleGetFunction;
    private final MethodHandle cuMemAlloc;
    private final MethodHandle cuMemFree;
    private final MethodHandle cuMemcpyHtoD;
    private final MethodHandle cuMemcpyDtoH;
    private final MethodHandle cuMemsetD32;
    private final MethodHandle cuLaunchKernel;
    private final MethodHandle cuGetErrorName;
    private final MethodHandle cuGetErrorString;

    private CudaDriver(String library, SymbolLookup lookup) {
        this.library = library;
        cuInit = bind(lookup, "cuInit", JAVA_INT);
        cuDriverGetVersion = bind(lookup, "cuDriverGetVersion", ADDRESS);
        cuDeviceGetCount = bind(lookup, "cuDeviceGetCount", ADDRESS);
        cuDeviceGet = bind(lookup, "cuDeviceGet", ADDRESS, JAVA_INT);
        cuDeviceGetName = bind(lookup, "cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        cuDevicePrimaryCtxRetain = bind(lookup, "cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRelease = bind(lookup, "cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        cuCtxSetCurrent = bind(lookup, "cuCtxSetCurrent", ADDRESS);
        cuCtxSynchronize = bind(lookup, "cuCtxSynchronize");
        cuModuleLoadData = bind(lookup, "cuModuleLoadData", ADDRESS, ADDRESS);
        cuModuleUnload = bind(lookup, "cuModuleUnload", ADDRESS);
        cuModuleGetFunction = bind(lookup, "cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        cuMemAlloc = bind(lookup, "cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        cuMemFree = bind(lookup, "cuMemFree_v2", JAVA_LONG);
        cuMemcpyHtoD = bind(lookup, "cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
        cuMemcpyDtoH = bind(lookup, "cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
        cuMemsetD32 = bind(lookup, "cuMemsetD32_v2", JAVA_LONG, JAVA_INT, JAVA_LONG);
        cuLaunchKernel = bind(lookup, "cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        cuGetErrorName = bind(lookup, "cuGetErrorName", JAVA_INT, ADDRESS);
        cuGetErrorString = bind(lookup, "cuGetErrorString", JAVA_INT, ADDRESS);
    }

    /**
     * The library named by {@value #LIBRARY_PROPERTY}, else {@value #LIBRARY_ENV}, else
     * {@value #DEFAULT_LIBRARY}.
     *
     * @return a path or soname
     */
    public static String configuredLibrary() {
        String property = System.getProperty(LIBRARY_PROPERTY);
        if (property != null && !property.isBlank()) {
            return property;
        }
        String env = System.getenv(LIBRARY_ENV);
        return env != null && !env.isBlank() ? env : DEFAULT_LIBRARY;
    }

    /**
     * Loads a driver library once per name (later calls return the same bindings); it stays
     * loaded for the life of the JVM.
     *
     * @param library a path ({@code /tmp/libcuda.so.1}) or a soname searched by the loader
     * @return the bindings
     * @throws IllegalStateException {@code cannot load the CUDA driver libcuda.so.1: ...} when the
     *     library is missing (no NVIDIA driver) or lacks a driver function
     */
    public static CudaDriver load(String library) {
        if (library == null || library.isBlank()) {
            throw new IllegalArgumentException("CUDA driver library name is empty");
        }
        return LOADED.computeIfAbsent(library, name -> {
            try {
                return new CudaDriver(name, SymbolLookup.libraryLookup(name, Arena.global()));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new IllegalStateException("cannot load the CUDA driver " + name + ": " + e.getMessage(), e);
            }
        });
    }

    /** @return the library these bindings came from */
    public String library() {
        return library;
    }

    /** {@code cuInit(0)}. */
    public void init() {
        check("cuInit", invoke(cuInit, 0));
    }

    /** @return {@code cuDriverGetVersion}, e.g. 13000 for CUDA 13.0 */
    public int driverVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check("cuDriverGetVersion", invoke(cuDriverGetVersion, out));
            return out.get(JAVA_INT, 0);
        }
    }

    /** @return {@code cuDeviceGetCount} */
    public int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check("cuDeviceGetCount", invoke(cuDeviceGetCount, out));
            return out.get(JAVA_INT, 0);
        }
    }

    /**
     * @param ordinal 0-based device index
     * @return the {@code CUdevice}
     */
    public int device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check("cuDeviceGet", invoke(cuDeviceGet, out, ordinal));
            return out.get(JAVA_INT, 0);
        }
    }

    /**
     * @param device a {@code CUdevice}
     * @return its name, e.g. {@code NVIDIA H200}
     */
    public String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(256);
            check("cuDeviceGetName", invoke(cuDeviceGetName, out, 256, device));
            return out.getString(0);
        }
    }

    /**
     * @param device a {@code CUdevice}
     * @return its primary context, retained (release with {@link #primaryCtxRelease})
     */
    public MemorySegment primaryCtxRetain(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuDevicePrimaryCtxRetain", invoke(cuDevicePrimaryCtxRetain, out, device));
            return out.get(ADDRESS, 0);
        }
    }

    /** @param device a device whose primary context this thread retained */
    public void primaryCtxRelease(int device) {
        check("cuDevicePrimaryCtxRelease_v2", invoke(cuDevicePrimaryCtxRelease, device));
    }

    /** @param context the context to make current on the calling thread */
    public void ctxSetCurrent(MemorySegment context) {
        check("cuCtxSetCurrent", invoke(cuCtxSetCurrent, context));
    }

    /** Waits for all work of the current context; reports errors of earlier launches. */
    public void ctxSynchronize() {
        check("cuCtxSynchronize", invoke(cuCtxSynchronize));
    }

    /**
     * @param image NUL-terminated PTX text
     * @return the {@code CUmodule}
     */
    public MemorySegment moduleLoadData(MemorySegment image) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuModuleLoadData", invoke(cuModuleLoadData, out, image));
            return out.get(ADDRESS, 0);
        }
    }

    /** @param module a loaded module */
    public void moduleUnload(MemorySegment module) {
        check("cuModuleUnload", invoke(cuModuleUnload, module));
    }

    /**
     * @param module a loaded module
     * @param name an {@code extern "C"} kernel name
     * @return the {@code CUfunction}
     */
    public MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cuModuleGetFunction(" + name + ")", invoke(cuModuleGetFunction, out, module, arena.allocateFrom(name)));
            return out.get(ADDRESS, 0);
        }
    }

    /**
     * @param bytes size, > 0
     * @return the device pointer
     */
    public long memAlloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check("cuMemAlloc_v2", invoke(cuMemAlloc, out, bytes));
            return out.get(JAVA_LONG, 0);
        }
    }

    /** @param pointer a device pointer from {@link #memAlloc} */
    public void memFree(long pointer) {
        check("cuMemFree_v2", invoke(cuMemFree, pointer));
    }

    /**
     * @param device destination device pointer
     * @param host source host memory
     * @param bytes how many bytes
     */
    public void memcpyHtoD(long device, MemorySegment host, long bytes) {
        check("cuMemcpyHtoD_v2", invoke(cuMemcpyHtoD, device, host, bytes));
    }

    /**
     * @param host destination host memory
     * @param device source device pointer
     * @param bytes how many bytes
     */
    public void memcpyDtoH(MemorySegment host, long device, long bytes) {
        check("cuMemcpyDtoH_v2", invoke(cuMemcpyDtoH, host, device, bytes));
    }

    /**
     * @param device destination, 4-byte aligned
     * @param value the 32-bit pattern to write
     * @param count how many 32-bit words
     */
    public void memsetD32(long device, int value, long count) {
        check("cuMemsetD32_v2", invoke(cuMemsetD32, device, value, count));
    }

    /**
     * {@code cuLaunchKernel} on the default stream, no dynamic shared memory.
     *
     * @param function the kernel
     * @param grid grid dimensions x, y, z
     * @param block block dimensions x, y, z
     * @param kernelParams an array of pointers, one per kernel parameter, to its value
     * @param name the kernel's name, for the error message
     */
    public void launchKernel(MemorySegment function, int[] grid, int[] block, MemorySegment kernelParams, String name) {
        check("cuLaunchKernel(" + name + ")", invoke(cuLaunchKernel, function, grid[0], grid[1], grid[2],
                block[0], block[1], block[2], 0, MemorySegment.NULL, kernelParams, MemorySegment.NULL));
    }

    /**
     * @param status a {@code CUresult}
     * @return e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}, or {@code CUresult 999} for an unknown one
     */
    public String errorName(int status) {
        return describe(cuGetErrorName, status, "CUresult " + status);
    }

    /**
     * @param status a {@code CUresult}
     * @return e.g. {@code out of memory}, or {@code unknown error} for an unknown one
     */
    public String errorString(int status) {
        return describe(cuGetErrorString, status, "unknown error");
    }

    private String describe(MethodHandle handle, int status, String fallback) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = invoke(handle, status, out);
            MemorySegment text = out.get(ADDRESS, 0);
            return rc != 0 || text.equals(MemorySegment.NULL) ? fallback : text.reinterpret(1024).getString(0);
        }
    }

    private void check(String call, int status) {
        if (status != 0) {
            throw new CudaException(call, status, errorName(status), errorString(status));
        }
    }

    private static int invoke(MethodHandle handle, Object... args) {
        try {
            return (int) handle.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static MethodHandle bind(SymbolLookup lookup, String name, ValueLayout... arguments) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new IllegalStateException("the library has no function " + name));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, arguments));
    }
}
