-- A trigram index of case names, so that a search by a fragment of a name (search_name LIKE '%diall%')
-- reads the cases whose name contains it instead of every case of the organization. pg_trgm ships with
-- PostgreSQL (contrib) and is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_search_name_trgm ON cases USING gin (search_name gin_trgm_ops);
