-- Wirelab control API schema: labs and their topology, runs, and each run's trace (frames and events).
--
-- Frames and events are partitioned by LIST (run_id): one partition per run, created when the run
-- starts (RunRepository). Why per run:
--   * a run is the unit of every query (all frame/event queries name one run) and of retention:
--     deleting a lab or a run drops its partitions, which is instant and leaves no dead tuples to
--     vacuum, where a DELETE of millions of rows would bloat the table;
--   * each partition's indexes cover one run only, so they stay small and hot while a run ingests,
--     and the planner prunes every other run's partition;
--   * HASH partitioning would spread runs over a fixed set of partitions: no cheap drop, and
--     queries would still scan indexes holding other runs.
-- The price is one table per run and trace type: fine for hundreds or a few thousand runs; labs
-- whose history is no longer wanted are deleted.

CREATE TABLE labs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL UNIQUE,
    source        text        NOT NULL,            -- the topology as the user sent it
    source_format text        NOT NULL CHECK (source_format IN ('yaml', 'json')),
    topology      jsonb       NOT NULL,            -- the validated topology in the file's shape
    example       text,                            -- examples/NAME.yaml it was created from, if any
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lab_nodes (
    lab_id bigint NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    name   text   NOT NULL,
    kind   text   NOT NULL,
    spec   jsonb  NOT NULL,
    PRIMARY KEY (lab_id, name)
);

-- One row per segment: its VNI, MTU and the impairments the topology gives it.
CREATE TABLE lab_links (
    lab_id      bigint NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    segment     text   NOT NULL,
    vni         int    NOT NULL,
    mtu         int    NOT NULL,
    impairments jsonb  NOT NULL,
    PRIMARY KEY (lab_id, segment)
);

CREATE TABLE runs (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lab_id           bigint      NOT NULL REFERENCES labs (id) ON DELETE CASCADE,
    status           text        NOT NULL CHECK (status IN ('starting', 'running', 'stopped', 'failed', 'interrupted')),
    time_mode        text        NOT NULL CHECK (time_mode IN ('real', 'virtual')),
    seed             bigint      NOT NULL,
    epoch_unix_nanos bigint,                        -- wall-clock time of lab time 0 (pcapng timestamps)
    started_at       timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz,
    error            text,                          -- why it failed or was interrupted
    -- Counters. *_stored move in the same transaction as the rows they count, so they never claim
    -- more than the database holds; the others are written from memory as the run goes.
    frames_captured  bigint      NOT NULL DEFAULT 0,
    frames_stored    bigint      NOT NULL DEFAULT 0,
    frames_dropped   bigint      NOT NULL DEFAULT 0,
    events_captured  bigint      NOT NULL DEFAULT 0,
    events_stored    bigint      NOT NULL DEFAULT 0,
    events_dropped   bigint      NOT NULL DEFAULT 0
);
CREATE INDEX runs_lab ON runs (lab_id, id);
-- At most one live run per lab.
CREATE UNIQUE INDEX runs_one_live_per_lab ON runs (lab_id) WHERE status IN ('starting', 'running');

CREATE TABLE frames (
    run_id       bigint   NOT NULL,
    seq          bigint   NOT NULL,                 -- position in the run's frame timeline, from 0
    time_ns      bigint   NOT NULL,                 -- lab time, ns since the run's epoch
    segment      text     NOT NULL,
    ingress_port text     NOT NULL,                 -- bus port: node:interface or an external port
    ingress_node text,                              -- the node part of ingress_port
    length       int      NOT NULL,
    bytes        bytea    NOT NULL,                 -- the Ethernet frame as the bus received it
    protocols    text[]   NOT NULL,                 -- outermost first: {eth,ipv4,udp}
    top_protocol text,
    src_mac      macaddr,
    dst_mac      macaddr,
    src_ip       inet,
    dst_ip       inet,
    ip_proto     smallint,
    src_port     int,
    dst_port     int,
    flags        text,                              -- DF, MF, (TCP) SYN,ACK...
    conversation text,                              -- canonical 5-tuple, both directions alike
    info         text     NOT NULL,                 -- one-line summary
    PRIMARY KEY (run_id, seq)
) PARTITION BY LIST (run_id);

-- Indexes for the frame queries (each partition gets its own copy).
CREATE INDEX frames_time ON frames (run_id, time_ns);
CREATE INDEX frames_node ON frames (run_id, ingress_node, seq);
CREATE INDEX frames_src_ip ON frames (run_id, src_ip);
CREATE INDEX frames_dst_ip ON frames (run_id, dst_ip);
CREATE INDEX frames_conversation ON frames (run_id, conversation, seq);
CREATE INDEX frames_protocols ON frames USING gin (protocols);

CREATE TABLE events (
    run_id  bigint NOT NULL,
    seq     bigint NOT NULL,                        -- position in the run's event timeline, from 0
    time_ns bigint NOT NULL,
    node    text   NOT NULL,
    layer   text   NOT NULL,
    kind    text   NOT NULL,
    detail  jsonb  NOT NULL,
    PRIMARY KEY (run_id, seq)
) PARTITION BY LIST (run_id);

CREATE INDEX events_time ON events (run_id, time_ns);
CREATE INDEX events_node ON events (run_id, node, time_ns);
CREATE INDEX events_kind ON events (run_id, layer, kind);
