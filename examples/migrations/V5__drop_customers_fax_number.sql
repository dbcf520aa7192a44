SET lock_timeout = '3s';
SET statement_timeout = '1min';

-- The application stopped reading fax_number in release 2024.06; nothing writes it since.
-- schemabot:ignore drop-column -- unused since release 2024.06 (checked with pg_stat_statements)
ALTER TABLE customers DROP COLUMN fax_number;
