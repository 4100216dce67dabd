package dev.wirelab.netstack.program;

import dev.wirelab.netstack.socket.Kernel;
import dev.wirelab.netstack.socket.Process;

import java.util.function.Supplier;

/**
 * A program written like a C program against the node's system calls ({@link Process}): it runs
 * on its own thread, blocking in calls such as accept() or recv() without holding up the node's
 * loop, and works the same in real and in virtual time. Its output lines and exit status go to
 * the shell that started it; cancelling the run (Ctrl-C) ends the process with status 130.
 */
public abstract class SyscallProgram implements Program {

    /** The program's main: argv is {@link Process#argv()}; returns the exit status. */
    protected abstract int main(Process p) throws Exception;

    @Override
    public final void start(ProgramContext ctx) {
        Process p = Kernel.of(ctx.node()).spawn(ctx.argv(), new Kernel.Hooks() {
            @Override
            public void output(String line) {
                ctx.println(line);
            }

            @Override
            public void exited(int status) {
                ctx.exit(status);
            }

            @Override
            public boolean interrupted() {
                ctx.guarded(() -> { }); // notices a cancelled run and exits with 130
                return ctx.exited();
            }
        }, this::main);
        ctx.onExit(() -> {
            if (!p.exited()) {
                p.kill(130);
            }
        });
        ctx.exitOnCancel();
    }

    /** A program from a lambda, for registering on a node: {@code node.registerProgram("x", SyscallProgram.of(p -> ...))}. */
    public static Supplier<Program> of(Kernel.Main main) {
        return () -> new SyscallProgram() {
            @Override
            protected int main(Process p) throws Exception {
                return main.main(p);
            }
        };
    }
}
