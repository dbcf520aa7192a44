-- schemabot:no-transaction
-- orders is large and written all day: build the index without blocking writes.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_placed_at_idx ON orders (placed_at);
