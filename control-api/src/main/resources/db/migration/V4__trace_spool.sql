-- Where ingest has got to in each run's trace spool (IngestPipeline, TraceSpool): the segment and
-- the offset after the last row the database holds. Moved in the same transaction as the rows and
-- the stored counters, so after a kill -9 the next start resumes ingest exactly there; NULL: nothing
-- of the spool is stored yet.
ALTER TABLE runs ADD COLUMN spool_segment bigint, ADD COLUMN spool_offset bigint;
