DROP INDEX cases_search_name_trgm;
