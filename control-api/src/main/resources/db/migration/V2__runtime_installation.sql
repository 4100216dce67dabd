-- Where a run's nodes live: in the control API's JVM (embedded) or each in its own container (docker).
ALTER TABLE runs ADD COLUMN runtime text NOT NULL DEFAULT 'embedded' CHECK (runtime IN ('embedded', 'docker'));

-- One row: this installation's id. The docker runtime labels containers and networks with it, so a
-- control API restarted on the same database (after kill -9) finds and removes what was left.
CREATE TABLE installation (
    id      uuid    NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    only_one boolean NOT NULL DEFAULT true UNIQUE CHECK (only_one)
);
INSERT INTO installation DEFAULT VALUES;
