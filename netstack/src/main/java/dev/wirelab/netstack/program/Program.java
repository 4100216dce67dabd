package dev.wirelab.netstack.program;

/**
 * A command run on a node, like a process: started on the node's loop with its argv, it prints
 * lines and finishes with an exit status through its {@link ProgramContext}. Programs never block:
 * they wait with {@link ProgramContext#schedule} timers and socket callbacks.
 */
@FunctionalInterface
public interface Program {
    void start(ProgramContext context);
}
