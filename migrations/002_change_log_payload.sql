-- A dish change's payload carries the guest's note, which may be up to 65,535 bytes on its own
-- (dishes.note is TEXT): with the other fields and JSON escaping it can outgrow TEXT, and the
-- database would refuse the whole change. MEDIUMTEXT holds any payload a valid answer produces.
ALTER TABLE change_log MODIFY payload MEDIUMTEXT NOT NULL;
ALTER TABLE change_log_archive MODIFY payload MEDIUMTEXT NOT NULL;
