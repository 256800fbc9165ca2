DROP TRIGGER case_names_delete;
DROP TRIGGER case_names_update;
DROP TRIGGER case_names_insert;
DROP TABLE case_names;
DROP TABLE case_name_keys;
