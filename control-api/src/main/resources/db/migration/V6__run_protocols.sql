-- How many stored frames of each run carry each protocol, moved by ingest in the same transaction as
-- the frames (IngestPipeline), so it is exact. Frame queries use it to answer a filter on a protocol
-- the run does not have at once, and one it has rarely through the protocols index (the planner
-- otherwise walks the whole run in seq order looking for the first match: 1.1 s on 1M frames);
-- it is also the run's protocol hierarchy (GET /api/runs/{id}/protocols).
CREATE TABLE run_protocols (
    run_id   bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    protocol text   NOT NULL,
    frames   bigint NOT NULL,
    PRIMARY KEY (run_id, protocol)
);

-- Runs stored before this migration.
INSERT INTO run_protocols (run_id, protocol, frames)
SELECT run_id, p, count(*) FROM frames, unnest(protocols) AS p GROUP BY run_id, p;
