-- Customers of the shop. Identity keys, timestamptz, text with CHECKs instead of varchar(n).
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL CHECK (length(email) <= 320),
    display_name text NOT NULL,
    fax_number text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX customers_email_key ON customers (lower(email));
