package dev.peft4j.core.spi;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.StringEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The classes one compiled class refers to, read with {@code java.lang.classfile}: every
 * {@link ClassEntry} of its constant pool (supertypes, instantiations, casts, member owners) and
 * every class named in a descriptor or generic signature — field and method types, annotation
 * types, {@code Signature} attributes — which live in {@link Utf8Entry}s as {@code Lpkg/Name;}.
 * Utf8 entries that only back string literals are skipped, so a string mentioning a class is no
 * reference.
 */
final class ClassReferences {

    /** A class named in a descriptor or signature: {@code L} then the internal name up to {@code ;} or {@code <}. */
    private static final Pattern NAMED = Pattern.compile("L([\\p{javaJavaIdentifierPart}/$]+)[;<]");

    private ClassReferences() {}

    /**
     * @param classBytes a class file
     * @return the internal names ({@code com/google/inject/Module}) of every class it refers to
     */
    static Set<String> of(byte[] classBytes) {
        ClassModel model = ClassFile.of().parse(classBytes);
        Set<Utf8Entry> literals = new HashSet<>();
        for (PoolEntry entry : model.constantPool()) {
            if (entry instanceof StringEntry string) {
                literals.add(string.utf8());
            }
        }
        Set<String> names = new TreeSet<>();
        for (PoolEntry entry : model.constantPool()) {
            if (entry instanceof ClassEntry type) {
                addClassEntry(type.asInternalName(), names);
            } else if (entry instanceof Utf8Entry utf8 && !literals.contains(utf8)) {
                addNamed(utf8.stringValue(), names);
            }
        }
        return names;
    }

    /**
     * @param classBytes a class file
     * @param allowedPrefixes internal-name prefixes that may be referenced ({@code java/})
     * @return the references outside every allowed prefix, sorted, as binary names ({@code com.google.inject.Module})
     */
    static List<String> forbidden(byte[] classBytes, List<String> allowedPrefixes) {
        Predicate<String> allowed = name -> allowedPrefixes.stream().anyMatch(name::startsWith);
        return of(classBytes).stream()
                .filter(allowed.negate())
                .map(name -> name.replace('/', '.'))
                .toList();
    }

    private static void addClassEntry(String internalName, Set<String> names) {
        if (internalName.startsWith("[")) {
            addNamed(internalName, names);
        } else {
            names.add(internalName);
        }
    }

    private static void addNamed(String text, Set<String> names) {
        Matcher matcher = NAMED.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
    }
}
