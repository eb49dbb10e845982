package dev.peft4j.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

/** A trivial child for {@link ChildJvmTest}: reports its JVM options, environment and a known peak. */
public final class EchoChild {

    private EchoChild() {}

    /**
     * @param args {@code fail} to exit with status 3, else the megabytes to allocate after the reset
     * @throws Exception never on Linux
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("fail")) {
            System.out.println("failing on purpose");
            System.exit(3);
        }
        int megabytes = Integer.parseInt(args[0]);
        long idle = PeakMemory.residentBytes();
        PeakMemory.resetHighWaterMark();
        ByteBuffer block = ByteBuffer.allocateDirect(megabytes << 20);
        for (int i = 0; i < block.capacity(); i += 4096) {
            block.put(i, (byte) 1);
        }
        long peak = PeakMemory.highWaterMarkBytes();
        ObjectNode report = new ObjectMapper().createObjectNode();
        report.put("idle", idle).put("peak", peak).put("touched", block.capacity());
        report.put("malloc_arena_max", System.getenv("MALLOC_ARENA_MAX"));
        report.put("mmap_threshold", System.getenv("MALLOC_MMAP_THRESHOLD_"));
        report.putPOJO("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
        ChildReport.emit(report, System.out);
    }
}
