-- Who holds open WebSockets, across instances (docs/screens.md "Open sockets"; DESIGN-NOTES 11,
-- shape b: a row per instance and key, counted only while the instance's heartbeat is fresh).

-- One row per running instance; its `seen_at` is renewed every few seconds. An instance that
-- died stops counting once its row is older than the freshness window (src/presence/presence.ts).
CREATE TABLE presence_instances (
  instance_id VARCHAR(64) NOT NULL,
  seen_at     DATETIME(3) NOT NULL,
  PRIMARY KEY (instance_id),
  KEY presence_instances_seen (seen_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Open sockets per key (a token's hashed signature, a device, a client address) and instance.
-- Only the instance named in the row writes it; rows at 0 are deleted.
CREATE TABLE presence_counts (
  holder      VARCHAR(191) NOT NULL,
  instance_id VARCHAR(64)  NOT NULL,
  sockets     INT UNSIGNED NOT NULL,
  PRIMARY KEY (holder, instance_id),
  KEY presence_counts_instance (instance_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
