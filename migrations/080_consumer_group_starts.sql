-- When each consumer group first started (issue 17, design note 13): the moment a partition with no
-- committed offset is read from. Written once per group (the first instance to start wins; later
-- starts read it back) by src/offsets/first-start.ts; never updated.
--   started_at      the service's clock at that first start (UTC)
--   from_beginning  1 when that start was told to read everything (KAFKA_FROM_BEGINNING=true) or
--                   found the group already holding committed offsets (it predates this table):
--                   the moment is then the beginning of time
CREATE TABLE consumer_group_starts (
  group_id       VARCHAR(255) NOT NULL,
  started_at     DATETIME(3)  NOT NULL,
  from_beginning TINYINT(1)   NOT NULL,
  PRIMARY KEY (group_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
