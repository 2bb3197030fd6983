-- A merchant's menu version (issue 20): every change of its menu (menu_dishes, through
-- src/menu/sql.ts upsertMenuEntry) adds 1 in the same transaction. The apply step reads it with the
-- merchant's other settings (one statement per write group) and keeps each merchant's prep targets
-- in memory per version (src/menu/cache.ts), so an unchanged menu is not read again, and a change
-- made through any instance is seen by every instance at its next write group.
ALTER TABLE merchant_settings
  ADD COLUMN menu_version INT UNSIGNED NOT NULL DEFAULT 0;
