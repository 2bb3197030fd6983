-- The change log leaves the live table a day at a time (issue 20): moving 5 M entries a day row by
-- row (a copy and a delete each, every index touched twice) was half of the archive job's time.
-- Range partitions on created_at (UTC) let a day that is wholly older than the horizon be copied
-- to the archive and dropped as a partition (src/archive/log-days.ts). A partitioned table's every
-- unique key must hold the partition column, hence created_at in the primary key; seqs stay unique
-- per merchant because merchant_seq hands each out once (src/changes/append.ts).
--
-- This rebuilds the table once. The first partition takes every entry up to the end of today;
-- the next three days get one each (AHEAD_DAYS in src/archive/log-days.ts), so the archive job's
-- nightly split of the next day out of pmax finds pmax empty and moves no rows. A partition
-- bound must be a constant, hence the statement built from today's date and prepared.
ALTER TABLE change_log DROP PRIMARY KEY, ADD PRIMARY KEY (merchant_id, seq, created_at);
SET @kds_days = CONCAT('ALTER TABLE change_log PARTITION BY RANGE COLUMNS (created_at) (',
  (SELECT GROUP_CONCAT(CONCAT('PARTITION lt', DATE_FORMAT(d, '%Y%m%d'), ' VALUES LESS THAN (''', d, ' 00:00:00'')') ORDER BY d SEPARATOR ', ')
     FROM (SELECT UTC_DATE() + INTERVAL 1 DAY AS d UNION ALL SELECT UTC_DATE() + INTERVAL 2 DAY
           UNION ALL SELECT UTC_DATE() + INTERVAL 3 DAY UNION ALL SELECT UTC_DATE() + INTERVAL 4 DAY) AS days),
  ', PARTITION pmax VALUES LESS THAN (MAXVALUE))');
PREPARE kds_days FROM @kds_days;
EXECUTE kds_days;
DEALLOCATE PREPARE kds_days;
