-- Rows the database refused on their own (ingest writes a refused batch in halves until only the
-- refused rows are left): each kept with the reason, as the COPY text line it was sent as (bytes
-- included), so nothing of it is lost silently. Counted in the run's dropped counters too.
CREATE TABLE trace_rejects (
    run_id      bigint      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq         bigint      NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('frame', 'event')),
    reason      text        NOT NULL,
    copy_row    bytea       NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, kind, seq)
);
