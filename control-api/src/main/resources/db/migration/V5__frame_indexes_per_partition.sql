-- Frame indexes for ingest at wire speed (issue 14), measured with bench/ingest-bench.sh (the cost of
-- each index on binary COPY, and each dashboard/exercise query on a 1M-frame run):
--   * every query names one run, and each run is its own partition, so run_id is the same in every
--     entry of a partition's index: leading with it made each entry 8 bytes larger and each insert
--     compare one more column, for nothing. The indexes are on the partition's own columns now;
--   * lab time keeps its btree: a BRIN index costs nothing at ingest, but a time range listed in seq
--     order then makes the planner walk the primary key from the run's start (340 ms in the middle of
--     a 1M-frame run, against 19 ms with the btree);
--   * node, addresses, conversation and protocols keep their indexes (a rare node, address or
--     protocol would otherwise cost a scan of the whole run).
DROP INDEX frames_time;
DROP INDEX frames_node;
DROP INDEX frames_src_ip;
DROP INDEX frames_dst_ip;
DROP INDEX frames_conversation;

CREATE INDEX frames_time ON frames (time_ns);
CREATE INDEX frames_node ON frames (ingress_node, seq);
CREATE INDEX frames_src_ip ON frames (src_ip);
CREATE INDEX frames_dst_ip ON frames (dst_ip);
CREATE INDEX frames_conversation ON frames (conversation, seq);

-- Events: the same reasoning.
DROP INDEX events_time;
DROP INDEX events_node;
DROP INDEX events_kind;
CREATE INDEX events_time ON events (time_ns);
CREATE INDEX events_node ON events (node, time_ns);
CREATE INDEX events_kind ON events (layer, kind);
