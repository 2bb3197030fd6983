-- Running a service (issue 13): rush orders, added portions, and a record of every mark and recall.

-- `rush`: a kitchen or waiter flag (kitchen state, never written by the pipeline's upsert).
ALTER TABLE orders ADD COLUMN rush TINYINT(1) NOT NULL DEFAULT 0;
ALTER TABLE orders_archive ADD COLUMN rush TINYINT(1) NOT NULL DEFAULT 0;

-- A quantity raised on a dish already READY or SERVED sends the added portions back to the kitchen
-- as a dish row of their own (src/pipeline/dish-plan.ts): `added_to` names the item they were added
-- to; NULL for the order system's own items.
ALTER TABLE dishes ADD COLUMN added_to VARCHAR(64) NULL;
ALTER TABLE dishes_archive ADD COLUMN added_to VARCHAR(64) NULL;

-- Every mark and recall a screen made (for the dashboard and for disputes): who (role, device id
-- when the token carries one), what (action, the states before and after), when. Append-only.
CREATE TABLE dish_marks (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  merchant_id VARCHAR(64)     NOT NULL,
  order_id    VARCHAR(64)     NOT NULL,
  item_id     VARCHAR(64)     NOT NULL,
  action      VARCHAR(16)     NOT NULL,
  from_state  VARCHAR(16)     NOT NULL,
  to_state    VARCHAR(16)     NOT NULL,
  role        VARCHAR(16)     NOT NULL,
  device_id   VARCHAR(64)     NULL,
  at          DATETIME(3)     NOT NULL,
  PRIMARY KEY (id),
  KEY dish_marks_item (item_id, id),
  KEY dish_marks_merchant_at (merchant_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
