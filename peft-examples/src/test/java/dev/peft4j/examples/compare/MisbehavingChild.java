package dev.peft4j.examples.compare;

/** A child for {@link MethodProcessTest} that reports progress and then dies or hangs, as a method's child might. */
public final class MisbehavingChild {

    private MisbehavingChild() {}

    /**
     * @param args {@code kill}: SIGKILL itself after two progress lines; {@code hang}: sleep for a minute
     * @throws Exception never
     */
    public static void main(String[] args) throws Exception {
        System.out.println(ProgressLine.format(1, 2));
        System.out.println(ProgressLine.format(2, 2));
        System.out.println("about to " + args[0]);
        System.out.flush();
        if (args[0].equals("kill")) {
            new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        }
        Thread.sleep(60_000);
    }
}
