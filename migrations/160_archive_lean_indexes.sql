-- The archive tables were made LIKE the live ones, with every secondary index: the board's, the
-- retry queue's, the change log's by time. Nothing in the service reads them, so each of the
-- nightly job's ~13 M rows of a chain's day (issue 20) paid index writes nobody uses, on the
-- database the live traffic waits for. Kept: the primary keys (the job's idempotent upserts) and
-- what an operator looks an archived order up by: an order's dishes, a dish's marks, a merchant's
-- orders of a day, an order's retry entries (docs/operations.md, "Archive job").
ALTER TABLE orders_archive DROP INDEX orders_placed;
ALTER TABLE dishes_archive DROP INDEX dishes_board, DROP INDEX dishes_placed;
ALTER TABLE dish_marks_archive DROP INDEX dish_marks_merchant_at;
ALTER TABLE change_log_archive DROP INDEX change_log_created;
ALTER TABLE retry_entries_archive DROP INDEX retry_entries_due, DROP INDEX retry_entries_mail;
