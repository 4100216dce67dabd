package dev.wirelab.control;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The control API: labs over REST, the embedded runtime, traces in PostgreSQL. */
@SpringBootApplication
public class ControlApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(ControlApiApplication.class, args);
    }
}
