package dev.wirelab.control.store;

import java.time.OffsetDateTime;

/**
 * A stored lab.
 *
 * @param source       the topology text as it was sent
 * @param sourceFormat "yaml" or "json"
 * @param topologyJson the validated topology in the file's shape (JSON)
 * @param example      the example it was created from, or null
 */
public record LabRecord(long id, String name, String source, String sourceFormat, String topologyJson, String example,
                        OffsetDateTime createdAt) {
}
