-- The per-order queue (src/order-queue/). `order_guards.pending` counted the order's retry entries
-- that are PENDING *or FAILED*, which its name hid: a FAILED head still blocks its order. Renamed to
-- what it counts. Dead-letter headers can be any size a Kafka record carries (an 11 KB binary header
-- was seen): MEDIUMTEXT, and the writer truncates by bytes beyond that.
ALTER TABLE order_guards CHANGE COLUMN pending open_entries INT UNSIGNED NOT NULL DEFAULT 0;
ALTER TABLE dead_letters MODIFY headers MEDIUMTEXT NULL;
-- Versions are "integer >= 1" in both contracts, with no upper bound: an answer with version
-- 4294967296 overflowed INT UNSIGNED and the database refused the order for ever. BIGINT UNSIGNED
-- holds every integer JavaScript represents exactly (2^53 - 1, the decoders' bound).
ALTER TABLE orders MODIFY version BIGINT UNSIGNED NOT NULL;
ALTER TABLE orders_archive MODIFY version BIGINT UNSIGNED NOT NULL;
ALTER TABLE dishes MODIFY upstream_version BIGINT UNSIGNED NOT NULL;
ALTER TABLE dishes_archive MODIFY upstream_version BIGINT UNSIGNED NOT NULL;
ALTER TABLE retry_entries MODIFY event_version BIGINT UNSIGNED NOT NULL;
ALTER TABLE retry_entries_archive MODIFY event_version BIGINT UNSIGNED NOT NULL;
