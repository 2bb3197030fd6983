-- Daily and hourly figures per merchant and station (issue 14), kept for good: the archive job
-- (src/archive/) moves orders, dishes and the change log, never these tables.
-- Written only by the stats recorder (src/stats/recorder.ts), in the transaction of the change
-- that causes them.

-- What each dish (kind 'D', id = item_id) and order (kind 'O', id = order_id) currently adds to the
-- figures. A change replaces the contribution and applies the difference, so a change recorded
-- twice, a replay or a duplicate adds nothing, and a recall takes its ticket time back.
CREATE TABLE stats_marks (
  kind        CHAR(1)           NOT NULL,
  id          VARCHAR(64)       NOT NULL,
  merchant_id VARCHAR(64)       NOT NULL,
  local_date  DATE              NOT NULL,
  hour_start  DATETIME          NOT NULL,
  local_hour  TINYINT UNSIGNED  NOT NULL,
  station     VARCHAR(64)       NOT NULL,
  served      TINYINT UNSIGNED  NOT NULL DEFAULT 0,
  cancelled   TINYINT UNSIGNED  NOT NULL DEFAULT 0,
  late        TINYINT UNSIGNED  NOT NULL DEFAULT 0,
  ticket_s    INT UNSIGNED      NULL,
  serve_s     INT UNSIGNED      NULL,
  PRIMARY KEY (kind, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per merchant, local day and station ('' = dishes without a station).
CREATE TABLE stats_station_days (
  merchant_id VARCHAR(64)  NOT NULL,
  local_date  DATE         NOT NULL,
  station     VARCHAR(64)  NOT NULL,
  dishes      INT          NOT NULL DEFAULT 0,
  served      INT          NOT NULL DEFAULT 0,
  cancelled   INT          NOT NULL DEFAULT 0,
  late        INT          NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, local_date, station)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per merchant and local hour of placedAt (hour_start tells a repeated 01:00 apart).
CREATE TABLE stats_hours (
  merchant_id VARCHAR(64)      NOT NULL,
  local_date  DATE             NOT NULL,
  hour_start  DATETIME         NOT NULL,
  local_hour  TINYINT UNSIGNED NOT NULL,
  orders      INT              NOT NULL DEFAULT 0,
  dishes      INT              NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, local_date, hour_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Ticket ('T': placedAt → readyAt) and serve ('S': readyAt → servedAt) times as fixed histogram
-- buckets (src/stats/buckets.ts) per merchant, day and station: p50/p90 without keeping every time.
CREATE TABLE stats_time_buckets (
  merchant_id VARCHAR(64)       NOT NULL,
  local_date  DATE              NOT NULL,
  station     VARCHAR(64)       NOT NULL,
  metric      CHAR(1)           NOT NULL,
  bucket      SMALLINT UNSIGNED NOT NULL,
  n           INT               NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, local_date, station, metric, bucket)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
