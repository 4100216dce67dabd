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
}
