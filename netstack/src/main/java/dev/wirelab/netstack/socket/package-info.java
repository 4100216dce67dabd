/**
 * The node's operating system above its network stack: processes with descriptor tables and the
 * system calls of the socket API ({@link dev.wirelab.netstack.socket.Process}), with Linux's
 * errno semantics ({@link dev.wirelab.netstack.socket.Errno},
 * {@link dev.wirelab.netstack.socket.SyscallException}); readiness (poll, select, epoll with level
 * and edge triggering) and completion ({@link dev.wirelab.netstack.socket.IoUring}); sendfile from
 * the node's files ({@link dev.wirelab.netstack.socket.NodeFiles}); pipes and threads.
 *
 * <p>Every call crosses into the node's event loop and is traced there (layer "syscall"). A call
 * that would block parks the calling program thread, never the loop. In virtual time the
 * {@link dev.wirelab.netstack.time.VirtualTimeScheduler} waits, through its quiescence barrier,
 * until every program thread waits in a system call, and lets them run one at a time in the order
 * their calls completed, so a lab with blocking, multi-threaded programs repeats exactly.
 */
package dev.wirelab.netstack.socket;
