package dev.wirelab.control.api;

import dev.wirelab.control.errors.BadRequestException;
import dev.wirelab.control.errors.ConflictException;
import dev.wirelab.control.errors.NotFoundException;
import dev.wirelab.control.errors.RunStartException;
import dev.wirelab.control.errors.UnprocessableException;
import dev.wirelab.netstack.lab.LabException;
import dev.wirelab.netstack.lab.topology.TopologyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Errors as RFC 9457 problem details: a bad topology is 400 with every problem (path, line, column,
 * message); unknown ids 404; state conflicts 409; a run that cannot start 422 with the reason; the
 * database away 503. Anything else is a 500 and logged: bad input must never end up there.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(TopologyException.class)
    public ResponseEntity<ProblemDetail> topology(TopologyException e) {
        ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "Invalid topology",
                e.problems().size() == 1 ? e.problems().get(0).toString()
                        : e.problems().size() + " problems: " + e.problems().get(0) + " ...");
        p.setProperty("problems", e.problems());
        return ResponseEntity.badRequest().body(p);
    }

    @ExceptionHandler(BadRequestException.class)
    public ResponseEntity<ProblemDetail> badRequest(BadRequestException e) {
        ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "Bad request", e.getMessage());
        if (e.parameter() != null) {
            p.setProperty("parameter", e.parameter());
        }
        return ResponseEntity.badRequest().body(p);
    }

    @ExceptionHandler(NotFoundException.class)
    public ResponseEntity<ProblemDetail> notFound(NotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage()));
    }

    @ExceptionHandler(ConflictException.class)
    public ResponseEntity<ProblemDetail> conflict(ConflictException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem(HttpStatus.CONFLICT, "Conflict", e.getMessage()));
    }

    @ExceptionHandler(RunStartException.class)
    public ResponseEntity<ProblemDetail> runStart(RunStartException e) {
        ProblemDetail p = problem(HttpStatus.UNPROCESSABLE_CONTENT, "Run could not start", e.getMessage());
        p.setProperty("runId", e.runId());
        return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(p);
    }

    @ExceptionHandler(UnprocessableException.class)
    public ResponseEntity<ProblemDetail> unprocessable(UnprocessableException e) {
        return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT)
                .body(problem(HttpStatus.UNPROCESSABLE_CONTENT, "Cannot do that", e.getMessage()));
    }

    @ExceptionHandler(LabException.class)
    public ResponseEntity<ProblemDetail> lab(LabException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(problem(HttpStatus.CONFLICT, "Lab error", e.getMessage()));
    }

    @ExceptionHandler(DataAccessException.class)
    public ResponseEntity<ProblemDetail> database(DataAccessException e) {
        log.warn("Database error: {}", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(problem(HttpStatus.SERVICE_UNAVAILABLE,
                "Database unavailable", "the database did not answer: " + e.getMostSpecificCause().getMessage()));
    }

    /** Futures (driver thread, node loops) wrap what the task threw. */
    @ExceptionHandler({ExecutionException.class, CompletionException.class})
    public ResponseEntity<ProblemDetail> wrapped(Exception e) {
        Throwable c = e.getCause();
        if (c instanceof NotFoundException n) {
            return notFound(n);
        }
        if (c instanceof ConflictException x) {
            return conflict(x);
        }
        if (c instanceof BadRequestException b) {
            return badRequest(b);
        }
        if (c instanceof LabException l) {
            return lab(l);
        }
        return internal(e);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    public ResponseEntity<ProblemDetail> illegalArgument(IllegalArgumentException e) {
        return ResponseEntity.badRequest().body(problem(HttpStatus.BAD_REQUEST, "Bad request", e.getMessage()));
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> internal(Exception e) {
        log.error("Unexpected error", e);
        return ResponseEntity.internalServerError().body(problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                String.valueOf(e.getMessage())));
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setTitle(title);
        return p;
    }
}
