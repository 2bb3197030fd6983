-- Printer fallback (厨打, issue 21): a network ESC/POS printer per merchant and station, the
-- kitchen screens each instance has open (presence), and the print queue.

-- One printer per station. `mode_since`: when the mode was last set (always prints dishes fired
-- after it; fallback counts the screenless time from it at the earliest). `fallback_since`: set
-- while the station is in fallback (no kitchen screen for PRINT_FALLBACK_AFTER_S), by whichever
-- instance saw it first (a conditional update). `lease_owner`/`lease_until`: the instance printing
-- this printer's slips now, so one printer gets one writer, in order.
CREATE TABLE print_printers (
  merchant_id    VARCHAR(64)       NOT NULL,
  station        VARCHAR(64)       NOT NULL,
  host           VARCHAR(255)      NOT NULL,
  port           SMALLINT UNSIGNED NOT NULL,
  encoding       VARCHAR(16)       NOT NULL,
  mode           VARCHAR(16)       NOT NULL,
  width          TINYINT UNSIGNED  NOT NULL,
  mode_since     DATETIME(3)       NOT NULL,
  fallback_since DATETIME(3)       NULL,
  lease_owner    VARCHAR(64)       NULL,
  lease_until    DATETIME(3)       NULL,
  updated_at     DATETIME(3)       NOT NULL,
  PRIMARY KEY (merchant_id, station)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Kitchen screens open on one instance, per merchant and station ('' = a screen of every
-- station). `seen_at`: the instance's last heartbeat; `watched_at`: the last moment it had a
-- screen there. A dead instance stops refreshing both, so its screens stop counting.
CREATE TABLE screen_presence (
  instance_id VARCHAR(64)  NOT NULL,
  merchant_id VARCHAR(64)  NOT NULL,
  station     VARCHAR(64)  NOT NULL,
  screens     INT UNSIGNED NOT NULL,
  seen_at     DATETIME(3)  NOT NULL,
  watched_at  DATETIME(3)  NULL,
  PRIMARY KEY (instance_id, merchant_id, station),
  KEY screen_presence_station (merchant_id, station, watched_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per dish to print. `fire_key`: the dish's firing (its fire time) for automatic slips,
-- so the unique key prints a dish once per firing whatever the number of instances; NULL for a
-- reprint asked for by a cook (several may exist). `attempts` counts writes started: a slip with
-- attempts > 0 is printed as a reprint. status: QUEUED, PRINTED, SKIPPED (the dish was no longer
-- waiting, or the printer was switched off).
CREATE TABLE print_jobs (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  merchant_id     VARCHAR(64)     NOT NULL,
  station         VARCHAR(64)     NOT NULL,
  order_id        VARCHAR(64)     NOT NULL,
  item_id         VARCHAR(64)     NOT NULL,
  fire_key        DATETIME(3)     NULL,
  backup          TINYINT(1)      NOT NULL,
  asked           TINYINT(1)      NOT NULL,
  status          VARCHAR(16)     NOT NULL,
  attempts        INT UNSIGNED    NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(3)     NOT NULL,
  last_error      VARCHAR(255)    NULL,
  created_at      DATETIME(3)     NOT NULL,
  printed_at      DATETIME(3)     NULL,
  PRIMARY KEY (id),
  UNIQUE KEY print_jobs_firing (item_id, fire_key),
  KEY print_jobs_printer (merchant_id, station, status, next_attempt_at),
  KEY print_jobs_status (status, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
