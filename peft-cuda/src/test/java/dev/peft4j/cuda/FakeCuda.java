package dev.peft4j.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The fake {@code libcuda.so.1} of {@code src/test/c/fake_libcuda.cpp}, built here with the
 * system's {@code g++} into {@code target/fake-libcuda/} (rebuilt when the C or CUDA sources are
 * newer), and its bookkeeping functions. Tests that need it are skipped, with the reason, when
 * there is no {@code g++}.
 */
public final class FakeCuda {

    private static Path library;
    private static String unavailable;

    private final MethodHandle liveAllocations;
    private final MethodHandle liveBytes;
    private final MethodHandle launches;
    private final MethodHandle primaryRetains;
    private final MethodHandle failNext;
    private final MethodHandle lastError;

    private FakeCuda(SymbolLookup lookup) {
        Linker linker = Linker.nativeLinker();
        liveAllocations = linker.downcallHandle(lookup.find("fake_cuda_live_allocations").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        liveBytes = linker.downcallHandle(lookup.find("fake_cuda_live_bytes").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        launches = linker.downcallHandle(lookup.find("fake_cuda_launches").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        primaryRetains = linker.downcallHandle(lookup.find("fake_cuda_primary_retains").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        failNext = linker.downcallHandle(lookup.find("fake_cuda_fail_next").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        lastError = linker.downcallHandle(lookup.find("fake_cuda_last_error").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS));
    }

    /**
     * Builds (once per JVM) and loads the fake driver, or aborts the calling test with the reason.
     *
     * @return the fake
     */
    public static FakeCuda load() {
        Path path = libraryPath();
        return new FakeCuda(SymbolLookup.libraryLookup(path, Arena.global()));
    }

    /** @return the fake's path, building it first; aborts the test when it cannot be built */
    public static synchronized Path libraryPath() {
        if (library == null && unavailable == null) {
            build();
        }
        Assumptions.assumeTrue(unavailable == null, () -> unavailable);
        return library;
    }

    /** @return driver bindings to the fake */
    public CudaDriver driver() {
        return CudaDriver.load(libraryPath().toString());
    }

    /** @return a context on the fake device */
    public CudaContext open() {
        return CudaContext.open(driver(), 0);
    }

    /** @return device allocations not yet freed */
    public long liveAllocations() {
        return (long) call(liveAllocations);
    }

    /** @return bytes of device memory not yet freed */
    public long liveBytes() {
        return (long) call(liveBytes);
    }

    /** @return kernel launches accepted so far */
    public long launches() {
        return (long) call(launches);
    }

    /** @return primary-context retains not yet released */
    public int primaryRetains() {
        return (int) call(primaryRetains);
    }

    /** Makes the next call of {@code function} return {@code status}. */
    public void failNext(String function, int status) {
        try (Arena arena = Arena.ofConfined()) {
            call(failNext, arena.allocateFrom(function), status);
        }
    }

    /** @return why the fake last rejected a call */
    public String lastError() {
        return ((MemorySegment) call(lastError)).reinterpret(4096).getString(0);
    }

    private static Object call(MethodHandle handle, Object... args) {
        try {
            return handle.invokeWithArguments(args);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static void build() {
        Path module = Path.of(System.getProperty("peft.cuda.module", "."));
        Path source = module.resolve("src/test/c/fake_libcuda.cpp");
        Path cuda = module.resolve("src/main/cuda");
        Path out = module.resolve("target/fake-libcuda/libcuda.so.1");
        if (!Files.isRegularFile(source)) {
            unavailable = "fake libcuda source " + source.toAbsolutePath() + " not found (run from the peft-cuda module)";
            return;
        }
        try {
            if (Files.exists(out) && newest(module.resolve("src/test/c"), cuda) < Files.getLastModifiedTime(out).toMillis()) {
                library = out;
                return;
            }
            Files.createDirectories(out.getParent());
            Path tmp = out.resolveSibling("libcuda.so.1.tmp");
            List<String> command = List.of("g++", "-std=c++20", "-O2", "-shared", "-fPIC", "-pthread", "-DPEFT_HOST",
                    "-I" + cuda, source.toString(), "-o", tmp.toString());
            Process gcc;
            try {
                gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                unavailable = "no g++ on PATH, so the fake libcuda.so.1 cannot be built: " + e.getMessage();
                return;
            }
            String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!gcc.waitFor(300, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                throw new IllegalStateException("building the fake libcuda failed: " + String.join(" ", command) + "\n" + log);
            }
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            library = out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long newest(Path... folders) throws IOException {
        long newest = 0;
        for (Path folder : folders) {
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    newest = Math.max(newest, Files.getLastModifiedTime(file).toMillis());
                }
            }
        }
        return newest;
    }
}
