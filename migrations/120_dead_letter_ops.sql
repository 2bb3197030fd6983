-- The on-call console (issue 22): dead letters get a status an operator can act on, and a record of
-- their replays. `status` is KEPT until someone discards the record (or a replay settles it); a
-- DISCARDED row stays for audit. `replays` counts replays through the consumer's path,
-- `last_outcome` is the latest one's answer (applied, duplicate, parked, dead_lettered).
ALTER TABLE dead_letters
  ADD COLUMN status         VARCHAR(16) NOT NULL DEFAULT 'KEPT',
  ADD COLUMN discarded_at   DATETIME(3) NULL,
  ADD COLUMN replays        INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN last_replay_at DATETIME(3) NULL,
  ADD COLUMN last_outcome   VARCHAR(16) NULL,
  ADD COLUMN updated_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3);
-- the console's list: newest first within a status, paged by id
CREATE INDEX dead_letters_status_id ON dead_letters (status, id);
