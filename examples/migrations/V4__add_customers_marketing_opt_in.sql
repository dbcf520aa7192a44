-- A constant default is stored in the catalog (PostgreSQL 11+): no table rewrite.
SET lock_timeout = '3s';
SET statement_timeout = '1min';

ALTER TABLE customers ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT false;
