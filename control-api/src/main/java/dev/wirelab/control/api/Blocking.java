package dev.wirelab.control.api;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.concurrent.Callable;

/** JDBC and lab calls block: they run on Reactor's bounded elastic pool, never on an event-loop thread. */
final class Blocking {

    private Blocking() {
    }

    static <T> Mono<T> call(Callable<T> c) {
        return Mono.fromCallable(c).subscribeOn(Schedulers.boundedElastic());
    }
}
