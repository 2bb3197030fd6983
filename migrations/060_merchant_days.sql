-- Merchants' local days (issue 14) and ticket numbers (issue 13 item 5).
-- A merchant's time zone when it is not MERCHANT_TIME_ZONE (PUT /api/merchants/{id}/settings).
CREATE TABLE merchant_settings (
  merchant_id VARCHAR(64)  NOT NULL,
  time_zone   VARCHAR(64)  NOT NULL,
  updated_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (merchant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The last ticket number given per merchant and local day. Locked by the writer that numbers new
-- orders, after their order rows and before merchant_seq (src/tickets/issue.ts).
CREATE TABLE merchant_day_tickets (
  merchant_id VARCHAR(64)  NOT NULL,
  local_date  DATE         NOT NULL,
  last_no     INT UNSIGNED NOT NULL,
  PRIMARY KEY (merchant_id, local_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Given once, when the KDS first stores the order, and never changed: the ticket number, the local
-- day and hour of its placedAt in the merchant's zone of that moment (hour_start: the UTC instant
-- that local hour began, which tells the two 01:00 hours of a 25-hour day apart).
ALTER TABLE orders
  ADD COLUMN ticket_no  INT UNSIGNED     NULL,
  ADD COLUMN local_date DATE             NULL,
  ADD COLUMN local_hour TINYINT UNSIGNED NULL,
  ADD COLUMN hour_start DATETIME         NULL;
ALTER TABLE orders_archive
  ADD COLUMN ticket_no  INT UNSIGNED     NULL,
  ADD COLUMN local_date DATE             NULL,
  ADD COLUMN local_hour TINYINT UNSIGNED NULL,
  ADD COLUMN hour_start DATETIME         NULL;

-- Orders stored before this migration: numbered per UTC day (the default zone) in order of arrival.
UPDATE orders o
  JOIN (SELECT order_id,
               ROW_NUMBER() OVER (PARTITION BY merchant_id, DATE(placed_at) ORDER BY created_at, order_id) AS n
          FROM orders) t ON t.order_id = o.order_id
   SET o.ticket_no = t.n,
       o.local_date = DATE(o.placed_at),
       o.local_hour = HOUR(o.placed_at),
       o.hour_start = DATE_FORMAT(o.placed_at, '%Y-%m-%d %H:00:00');
INSERT INTO merchant_day_tickets (merchant_id, local_date, last_no)
  SELECT merchant_id, local_date, MAX(ticket_no) FROM orders WHERE ticket_no IS NOT NULL GROUP BY merchant_id, local_date;
