-- dish_marks and stats_marks grew without bound (issue 20): the archive job now moves a dish's
-- marks with its order, and drops the order's and its dishes' stats contributions (stats_marks),
-- which are read only when the dish or order changes again and it no longer can once archived.
-- The move finds an order's marks by order_id: dish_marks had no index on it.
CREATE TABLE dish_marks_archive LIKE dish_marks;
ALTER TABLE dish_marks ADD KEY dish_marks_order (order_id);
