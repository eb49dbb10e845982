package dev.peft4j.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes a file so that readers see either its old content or its complete new content, never a
 * partial one: the bytes go to a temporary file in the target's directory, are forced to disk
 * ({@code fsync}), and the temporary file is then renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}. The directory entry is forced too where the platform
 * allows it. On any failure the temporary file is deleted and the target is left untouched. The
 * file gets the process's default permissions (the umask's, 0644 under umask 0022), as HF PEFT's
 * writes do.
 */
public final class AtomicFiles {

    /** Writes the content of a file through an open channel positioned at 0. */
    @FunctionalInterface
    public interface ChannelWriter {
        /**
         * @param channel a writable channel on the (empty) temporary file
         * @throws IOException if writing fails
         */
        void write(FileChannel channel) throws IOException;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /**
     * Atomically replaces (or creates) {@code target} with what {@code writer} writes.
     *
     * @param target the file to write; its parent directory must exist
     * @param writer writes the whole content
     * @throws IOException if writing, syncing or the rename fails (including
     *     {@link AtomicMoveNotSupportedException} on file systems without atomic rename)
     */
    public static void write(Path target, ChannelWriter writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = createUniqueFile(dir, "." + absolute.getFileName());
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(channel);
                channel.force(true);
            }
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            forceDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Atomically replaces (or creates) {@code target} with the given bytes.
     *
     * @param target the file to write; its parent directory must exist
     * @param bytes the whole content
     * @throws IOException if writing fails
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, channel -> {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        });
    }

    /**
     * Atomically replaces (or creates) {@code target} with a copy of {@code source}.
     *
     * @param source the file to copy
     * @param target the file to write; its parent directory must exist
     * @throws IOException if reading or writing fails
     */
    public static void copy(Path source, Path target) throws IOException {
        write(target, channel -> Files.copy(source, Channels.newOutputStream(channel)));
    }

    /**
     * Creates an empty file {@code <prefix>.<random>.tmp} in {@code dir} with the process's default
     * permissions (the umask's, e.g. 0644), unlike {@link Files#createTempFile}, which forces 0600 on
     * POSIX: the temporary file becomes the target, and HF PEFT's files get the umask's modes.
     */
    private static Path createUniqueFile(Path dir, String prefix) throws IOException {
        while (true) {
            Path candidate = dir.resolve(prefix + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException taken) {
                // Another writer drew the same name; draw again.
            }
        }
    }

    /** Makes the rename durable; some platforms cannot open a directory, which is not an error. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Directory sync is best effort (not possible on Windows, for instance).
        }
    }
}
