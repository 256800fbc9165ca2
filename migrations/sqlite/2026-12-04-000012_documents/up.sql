-- Documents attached to a case (a copy of the residence permit, an ID, a certificate, a signed consent or
-- plan). The metadata is searchable; the bytes live in document_contents, or in a configured directory, as
-- each row's storage says.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    -- Whose paper it is when it is not the case's own person's (a child's permit).
    family_member_id TEXT REFERENCES family_members (id),
    -- The organization that uploaded it.
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    -- Recognised from the bytes, never from the name or the declared type.
    format TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage TEXT NOT NULL,
    issued_by TEXT,
    issued_on DATE,
    expires_on DATE,
    notes TEXT,
    uploaded_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_case ON documents (case_id, id);
CREATE INDEX documents_expiry ON documents (expires_on) WHERE expires_on IS NOT NULL;

-- Kept apart from the metadata, so that no listing ever reads the bytes.
CREATE TABLE document_contents (
    document_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    content BLOB NOT NULL
);
