package dev.peft4j.examples.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Turns an {@link IOException} into a sentence: NIO's exceptions often carry only the path
 * ({@code /tmp/x/afile}), which says nothing about what went wrong.
 */
final class IoErrors {

    private IoErrors() {}

    /**
     * @param path what was being written
     * @param error what the file system said
     * @return {@code cannot write to <path>: <reason>}, e.g. {@code cannot write to out: /tmp/out/a exists and is not a folder}
     */
    static IOException cannotWrite(Path path, IOException error) {
        return new IOException("cannot write to " + path + ": " + reason(error), error);
    }

    /** @return what went wrong, in words, naming the file the error is about */
    static String reason(IOException error) {
        if (error instanceof FileSystemException fs) {
            String file = fs.getFile() == null ? "" : fs.getFile() + " ";
            String what = switch (fs) {
                case FileAlreadyExistsException e -> "exists and is not a folder";
                case NoSuchFileException e -> "does not exist";
                case AccessDeniedException e -> "is not writable (permission denied)";
                case NotDirectoryException e -> "is not a folder";
                case DirectoryNotEmptyException e -> "is a folder that is not empty";
                default -> fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName();
            };
            return file + what;
        }
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }
}
