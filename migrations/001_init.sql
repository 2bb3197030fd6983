-- KDS schema for the whole mission. Valid on MySQL 8 and MariaDB 10.6+ (InnoDB, utf8mb4).
-- Times are UTC DATETIME(3). Every write is an upsert or a guarded update (see src/pipeline/sql).

-- Orders as the order system describes them. Upstream columns change only when a newer
-- `version` is applied (IF(VALUES(version) > version, …) guards in the upsert).
CREATE TABLE orders (
  order_id        VARCHAR(64)  NOT NULL,
  merchant_id     VARCHAR(64)  NOT NULL,
  table_no        VARCHAR(64)  NULL,
  status          VARCHAR(16)  NOT NULL,
  version         INT UNSIGNED NOT NULL,
  placed_at       DATETIME(3)  NOT NULL,
  upstream_updated_at DATETIME(3) NOT NULL,
  created_at      DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at      DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (order_id),
  KEY orders_merchant_placed (merchant_id, placed_at),
  -- the archive job walks this index in small batches
  KEY orders_placed (placed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Dishes: upstream columns (name … upstream_version) are written only by order-service answers;
-- kitchen columns (state, ready_at, served_at) only by cooks and waiters, plus the move to
-- CANCELLED when upstream cancels an unserved dish. merchant_id and placed_at are copied from
-- the order so the board reads one index.
CREATE TABLE dishes (
  item_id          VARCHAR(64)   NOT NULL,
  order_id         VARCHAR(64)   NOT NULL,
  merchant_id      VARCHAR(64)   NOT NULL,
  dish_id          VARCHAR(64)   NULL,
  name             VARCHAR(255)  NOT NULL,
  quantity         INT UNSIGNED  NOT NULL,
  station          VARCHAR(64)   NULL,
  note             TEXT          NULL,
  upstream_status  VARCHAR(16)   NOT NULL,
  upstream_version INT UNSIGNED  NOT NULL,
  state            VARCHAR(16)   NOT NULL DEFAULT 'WAITING',
  ready_at         DATETIME(3)   NULL,
  served_at        DATETIME(3)   NULL,
  placed_at        DATETIME(3)   NOT NULL,
  updated_at       DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (item_id),
  KEY dishes_order (order_id),
  -- board: open dishes of a merchant, oldest orders first
  KEY dishes_board (merchant_id, state, placed_at),
  KEY dishes_placed (placed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One guard row per order that ever had an event: the consumer and the retry job lock it
-- (SELECT … FOR UPDATE) in the transaction that decides "apply" or "park behind pending entries".
-- `pending` counts retry entries of the order in PENDING or FAILED; `tail_pos` is the position
-- given to the last entry parked, so entries of one order keep their arrival order.
CREATE TABLE order_guards (
  order_id    VARCHAR(64)     NOT NULL,
  merchant_id VARCHAR(64)     NOT NULL,
  pending     INT UNSIGNED    NOT NULL DEFAULT 0,
  tail_pos    BIGINT UNSIGNED NOT NULL DEFAULT 0,
  blocked_since DATETIME(3)   NULL,
  PRIMARY KEY (order_id),
  KEY order_guards_blocked (pending, blocked_since)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The retry table: events that could not be applied yet, queued per order by queue_pos.
-- status: PENDING (waiting; only the head of its order has next_attempt_at set), FAILED (head
-- gave up after max attempts; entries behind stay PENDING), DONE, DISCARDED (kept for audit).
CREATE TABLE retry_entries (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  order_id        VARCHAR(64)     NOT NULL,
  merchant_id     VARCHAR(64)     NOT NULL,
  queue_pos       BIGINT UNSIGNED NOT NULL,
  event_id        VARCHAR(64)     NOT NULL,
  event_type      VARCHAR(64)     NOT NULL,
  event_version   INT UNSIGNED    NOT NULL,
  occurred_at     DATETIME(3)     NOT NULL,
  raw_event       MEDIUMTEXT      NOT NULL,
  source          VARCHAR(255)    NULL,
  status          VARCHAR(16)     NOT NULL,
  attempts        INT UNSIGNED    NOT NULL DEFAULT 0,
  last_error      TEXT            NULL,
  next_attempt_at DATETIME(3)     NULL,
  mailed_at       DATETIME(3)     NULL,
  created_at      DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at      DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY retry_entries_order_pos (order_id, queue_pos),
  -- a redelivered event is parked once
  UNIQUE KEY retry_entries_order_event (order_id, event_id),
  -- retry job: due heads
  KEY retry_entries_due (status, next_attempt_at),
  -- failure mail: FAILED entries not yet mailed
  KEY retry_entries_mail (status, mailed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Records that break the event contract, kept with their bytes. Unique per record so a
-- redelivery after a crash stores it once.
CREATE TABLE dead_letters (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  topic        VARCHAR(255)    NOT NULL,
  partition_no INT             NOT NULL,
  offset_no    BIGINT          NOT NULL,
  record_key   VARBINARY(1024) NULL,
  raw_value    LONGBLOB        NULL,
  headers      TEXT            NULL,
  reason       VARCHAR(64)     NOT NULL,
  detail       TEXT            NULL,
  created_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY dead_letters_record (topic, partition_no, offset_no),
  KEY dead_letters_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per-merchant change sequence. Taken last in each transaction that changes a merchant's
-- orders or dishes: the row lock orders commits, so committed seqs form a gap-free prefix.
CREATE TABLE merchant_seq (
  merchant_id VARCHAR(64)     NOT NULL,
  seq         BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (merchant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The change log screens are fed from (kind 'order' or 'dish'; payload is the pushed object;
-- serve = 1 when this change made the dish READY, which waiters receive as a serve call).
CREATE TABLE change_log (
  merchant_id VARCHAR(64)     NOT NULL,
  seq         BIGINT UNSIGNED NOT NULL,
  kind        VARCHAR(8)      NOT NULL,
  order_id    VARCHAR(64)     NOT NULL,
  item_id     VARCHAR(64)     NULL,
  serve       TINYINT(1)      NOT NULL DEFAULT 0,
  payload     TEXT            NOT NULL,
  created_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (merchant_id, seq),
  KEY change_log_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Archive tables: same columns, filled by the archive job from rows older than the horizon.
CREATE TABLE orders_archive LIKE orders;
CREATE TABLE dishes_archive LIKE dishes;
CREATE TABLE change_log_archive LIKE change_log;
CREATE TABLE retry_entries_archive LIKE retry_entries;

-- Small key/value state of jobs (archive progress, outage state, mail digests).
CREATE TABLE job_state (
  name       VARCHAR(64)  NOT NULL,
  value      TEXT         NOT NULL,
  updated_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
