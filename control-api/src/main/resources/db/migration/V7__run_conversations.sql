-- Each run's conversations (canonical 5-tuples, both directions as one) as ingest stores their
-- frames, moved in the same transaction (IngestPipeline): the conversation list and a conversation's
-- summary are read from here instead of aggregating the whole run (about 400 ms on 1M frames).
CREATE TABLE run_conversations (
    run_id       bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    conversation text   NOT NULL,
    frames       bigint NOT NULL,
    bytes        bigint NOT NULL,
    first_ns     bigint NOT NULL,
    last_ns      bigint NOT NULL,
    first_seq    bigint NOT NULL,
    last_seq     bigint NOT NULL,
    PRIMARY KEY (run_id, conversation)
);
CREATE INDEX run_conversations_order ON run_conversations (run_id, first_seq);

-- Runs stored before this migration.
INSERT INTO run_conversations
SELECT run_id, conversation, count(*), sum(length), min(time_ns), max(time_ns), min(seq), max(seq)
FROM frames WHERE conversation IS NOT NULL GROUP BY run_id, conversation;
