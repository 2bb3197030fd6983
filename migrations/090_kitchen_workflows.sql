-- Kitchen workflows (contract "Kitchen workflows", issue 19): channels, courses, hold and fire,
-- prep targets and fire by prep time.

-- Orders: how they leave the kitchen. Upstream columns (version-guarded like table_no). Orders
-- stored before this migration get the contract's default: DINE_IN with a table, else TAKEAWAY.
ALTER TABLE orders
  ADD COLUMN channel   VARCHAR(16) NOT NULL DEFAULT 'DINE_IN',
  ADD COLUMN platform  VARCHAR(32) NULL,
  ADD COLUMN pickup_at DATETIME(3) NULL;
ALTER TABLE orders_archive
  ADD COLUMN channel   VARCHAR(16) NOT NULL DEFAULT 'DINE_IN',
  ADD COLUMN platform  VARCHAR(32) NULL,
  ADD COLUMN pickup_at DATETIME(3) NULL;
UPDATE orders SET channel = 'TAKEAWAY' WHERE table_no IS NULL;
UPDATE orders_archive SET channel = 'TAKEAWAY' WHERE table_no IS NULL;

-- Dishes: `course` and `upstream_hold` are upstream columns (version-guarded); `held`, `fired_at`
-- and `due_at` are kitchen columns: set when the dish is first stored, then moved only by hold and
-- fire (the waiter's calls, the till turning upstream_hold from 1 to 0, a scheduled fire).
-- upstream_hold is kept apart from held so "the till turned hold to false" is seen as a turn, and a
-- waiter's hold is not undone by a later version that merely still says false.
-- Dishes stored before this migration were never held: fired when placed.
ALTER TABLE dishes
  ADD COLUMN course        TINYINT UNSIGNED NOT NULL DEFAULT 1,
  ADD COLUMN upstream_hold TINYINT(1)       NOT NULL DEFAULT 0,
  ADD COLUMN held          TINYINT(1)       NOT NULL DEFAULT 0,
  ADD COLUMN fired_at      DATETIME(3)      NULL,
  ADD COLUMN due_at        DATETIME(3)      NULL;
ALTER TABLE dishes_archive
  ADD COLUMN course        TINYINT UNSIGNED NOT NULL DEFAULT 1,
  ADD COLUMN upstream_hold TINYINT(1)       NOT NULL DEFAULT 0,
  ADD COLUMN held          TINYINT(1)       NOT NULL DEFAULT 0,
  ADD COLUMN fired_at      DATETIME(3)      NULL,
  ADD COLUMN due_at        DATETIME(3)      NULL;
UPDATE dishes SET fired_at = placed_at WHERE fired_at IS NULL;
UPDATE dishes_archive SET fired_at = placed_at WHERE fired_at IS NULL;

-- Prep targets per merchant and upstream dishId (PUT /api/merchants/{id}/menu/{dishId}).
CREATE TABLE menu_dishes (
  merchant_id  VARCHAR(64)       NOT NULL,
  dish_id      VARCHAR(64)       NOT NULL,
  prep_seconds SMALLINT UNSIGNED NOT NULL,
  short_name   VARCHAR(16)       NULL,
  updated_at   DATETIME(3)       NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (merchant_id, dish_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- fireByPrepTime per merchant. A merchant may set it without a time zone: time_zone NULL means
-- "the default zone" (src/merchant-settings/zones.ts).
ALTER TABLE merchant_settings
  MODIFY time_zone VARCHAR(64) NULL,
  ADD COLUMN fire_by_prep_time TINYINT(1) NOT NULL DEFAULT 0;

-- Fires scheduled by fire by prep time (design note 10): one row per held dish that fires by
-- itself at due_at. Claimed with FOR UPDATE SKIP LOCKED and deleted in the unit of work that fires
-- the dish, so a crash rolls back both and each fire happens once.
CREATE TABLE scheduled_fires (
  item_id     VARCHAR(64) NOT NULL,
  merchant_id VARCHAR(64) NOT NULL,
  order_id    VARCHAR(64) NOT NULL,
  due_at      DATETIME(3) NOT NULL,
  PRIMARY KEY (item_id),
  KEY scheduled_fires_due (due_at),
  KEY scheduled_fires_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
