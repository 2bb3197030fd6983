-- The merchant's default page language (issue 21): used by a screen whose device made no choice.
-- Its own table, so a merchant can have a language without a time zone and the other way round.
CREATE TABLE merchant_languages (
  merchant_id VARCHAR(64) NOT NULL,
  language    VARCHAR(16) NOT NULL,
  updated_at  DATETIME(3) NOT NULL,
  PRIMARY KEY (merchant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
