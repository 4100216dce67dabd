package dev.wirelab.kit.client;

/** A lab as the API stores it: a topology with a name. */
public record Lab(long id, String name, String example) {
}
