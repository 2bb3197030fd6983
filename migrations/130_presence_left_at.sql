-- One owner for which screens are open across instances (issue 21): src/presence/ counts kitchen
-- screens in presence_counts like every other socket, under `kitchen:<merchant>/<station>`, and
-- remembers when the last one of such a key left an instance, so the printers' fallback can ask
-- "since when has no screen shown this station".

-- Set when an instance's count of a remembered key (kitchen screens) went to 0; NULL while it
-- holds sockets. Rows at 0 of other keys are deleted as before. Swept after an hour.
ALTER TABLE presence_counts
  ADD COLUMN left_at DATETIME(3) NULL,
  ADD KEY presence_counts_left (left_at);
