-- The board's inner query (src/board/select-board-orders.ts) reads, per open dish, its station and
-- order_id: with dishes_board (merchant_id, state, placed_at) each open dish cost a lookup of its
-- row in the primary key, and for a merchant with many open dishes the optimizer preferred `ref` on
-- merchant_id alone, walking every dish the merchant ever had (history included). Measured with
-- ANALYZE FORMAT=JSON on a history database (bench history, docs/throughput.md): 11,860 open dishes of
-- one merchant touched 35,681 pages (1,868 read from disk right after a restart without the buffer
-- pool load: ~1 s), and 92 pages with the two columns in the index. The leading columns are
-- unchanged, so every other statement that walks the index keeps its plan; the station summary
-- (src/stats/sql/select-open.ts) is now answered from the index alone too.
ALTER TABLE dishes DROP INDEX dishes_board, ADD KEY dishes_board (merchant_id, state, placed_at, station, order_id);
