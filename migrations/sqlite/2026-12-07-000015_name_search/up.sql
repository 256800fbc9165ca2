-- A trigram index of case names, so that a search by a fragment of a name ("diall") reads the cases whose
-- name contains it instead of every case of the organization (at 1 M cases: hundreds of thousands of rows
-- for a page of 50). FTS5's trigram tokenizer matches any substring of three characters or more.
--
-- The index is keyed by an integer of its own, kept in case_name_keys: a table without an INTEGER PRIMARY
-- KEY, as cases is, may have its rowids renumbered by VACUUM, which would silently misalign an index keyed
-- by them.
CREATE TABLE case_name_keys (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE REFERENCES cases (id)
);
CREATE VIRTUAL TABLE case_names USING fts5(search_name, tokenize = 'trigram');

INSERT INTO case_name_keys (case_id) SELECT id FROM cases ORDER BY id;
INSERT INTO case_names (rowid, search_name)
    SELECT k.id, c.search_name FROM case_name_keys k JOIN cases c ON c.id = k.case_id;

CREATE TRIGGER case_names_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_name_keys (case_id) VALUES (new.id);
    INSERT INTO case_names (rowid, search_name)
        VALUES ((SELECT id FROM case_name_keys WHERE case_id = new.id), new.search_name);
END;

CREATE TRIGGER case_names_update AFTER UPDATE OF search_name ON cases
WHEN old.search_name IS NOT new.search_name BEGIN
    UPDATE case_names SET search_name = new.search_name
        WHERE rowid = (SELECT id FROM case_name_keys WHERE case_id = new.id);
END;

CREATE TRIGGER case_names_delete AFTER DELETE ON cases BEGIN
    DELETE FROM case_names WHERE rowid = (SELECT id FROM case_name_keys WHERE case_id = old.id);
    DELETE FROM case_name_keys WHERE case_id = old.id;
END;
