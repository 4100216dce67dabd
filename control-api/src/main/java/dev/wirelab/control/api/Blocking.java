package dev.wirelab.control.api;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.concurrent.Callable;

/**
 * JDBC and lab calls block: they run on the API's own bounded elastic pool, never on an event-loop
 * thread, and never behind other work that uses Reactor's shared pool (issue 11: live streams once
 * starved status queries there). An exec may hold a thread for its whole run, hence the room.
 */
final class Blocking {

    private static final Scheduler API = Schedulers.newBoundedElastic(
            Math.max(32, 8 * Runtime.getRuntime().availableProcessors()), 10_000, "wirelab-api", 60, true);

    private Blocking() {
    }

    /** The pool itself, for blocking work that is not one call (a streamed exec, a capture download). */
    static Scheduler scheduler() {
        return API;
    }

    static <T> Mono<T> call(Callable<T> c) {
        return Mono.fromCallable(c).subscribeOn(API);
    }

    /**
     * As {@link #call}, for work that must not stop halfway when its client goes away: a cancelled
     * subscription interrupts a {@link #call}'s thread, and a run start interrupted between creating
     * its containers and recording them fails with ClosedByInterruptException. Under docker compose
     * the client's connection is cut by Docker itself when the control API joins a run's network (the
     * published port's proxy moves), so the first run from the dashboard failed every time. This one
     * finishes; the client that left can find the result (the run) afterwards.
     */
    static <T> Mono<T> callToTheEnd(Callable<T> c) {
        return Mono.defer(() -> {
            java.util.concurrent.CompletableFuture<T> done = new java.util.concurrent.CompletableFuture<>();
            API.schedule(() -> {
                try {
                    done.complete(c.call());
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            return Mono.fromFuture(done, true);
        });
    }
}
