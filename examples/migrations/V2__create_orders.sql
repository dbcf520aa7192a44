-- Orders reference customers; the foreign key column gets its index in the same change, while
-- the table is still empty, so neither needs CONCURRENTLY. The foreign key briefly locks
-- customers: bound the wait and the run.
SET lock_timeout = '3s';
SET statement_timeout = '1min';

CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')),
    total_cents bigint NOT NULL CHECK (total_cents >= 0),
    placed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_customer_id_idx ON orders (customer_id);
