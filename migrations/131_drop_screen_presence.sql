-- The printers asked their own table which kitchen screens were open (screen_presence, migration
-- 110), a second copy of what presence_counts holds. They ask src/presence/ now (migration 130).
-- During a rolling upgrade an instance still on the old code fails its print rounds (the upgraded
-- ones print) until it is replaced.
DROP TABLE IF EXISTS screen_presence;
