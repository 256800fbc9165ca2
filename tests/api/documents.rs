//! Documents attached to a case: multipart upload, limits, formats recognised from the bytes, checksum,
//! audited streamed download, search by metadata, removal on erasure; in the database and in a directory.

use actix_web::http::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::cases::{amina, create_case, desk_operator};
use crate::support::{
    TestApp, TestResponse, assert_invalid_field, assert_problem, spawn_app, spawn_app_with,
};

const BOUNDARY: &str = "sportello-test-boundary-7d41";

/// A PDF-looking file of `len` bytes: the magic number, then a pattern that is easy to check.
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..len.saturating_sub(bytes.len())).map(|i| (i % 251) as u8));
    bytes
}

/// A `multipart/form-data` body: text parts, then the file (name, declared type, bytes) if any.
fn form(text: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in text {
        body.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .bytes(),
        );
    }
    if let Some((file_name, content_type, bytes)) = file {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    body
}

/// A small PDF upload of this kind: (content type, body).
pub fn upload_form(kind: &str) -> (String, Vec<u8>) {
    let body = form(&[("kind", kind)], Some(("scan.pdf", "application/pdf", &pdf(200))));
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

async fn upload(app: &TestApp, token: &str, case_id: &str, body: Vec<u8>) -> TestResponse {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let path = format!("/api/v1/cases/{case_id}/documents");
    app.send_raw(Method::POST, &path, Some(token), Some(&content_type), body, &[]).await
}

/// A PDF of `len` bytes and this kind, with no other metadata.
async fn upload_pdf(app: &TestApp, token: &str, case_id: &str, kind: &str, len: usize) -> TestResponse {
    upload(app, token, case_id, form(&[("kind", kind)], Some(("scan.pdf", "application/pdf", &pdf(len)))))
        .await
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn items(res: &TestResponse) -> Vec<Value> {
    res.expect_status(200);
    res.body["items"].as_array().unwrap().clone()
}

/// Upload, metadata, download (byte for byte, with headers and checksum), audit, delete.
async fn round_trip(app: &TestApp) {
    let (_, op) = desk_operator(app).await;
    let case = create_case(app, &op, &amina()).await;
    let case_id = case["id"].as_str().unwrap();
    // Larger than one download step (256 KiB): the stream is read in several pieces.
    let bytes = pdf(700_000);
    let body = form(
        &[
            ("kind", "residence_permit"),
            ("issued_by", "Questura di Cremona"),
            ("issued_on", "2025-03-10"),
            ("expires_on", "2027-03-09"),
            ("notes", "Copia fronte e retro"),
        ],
        Some(("permesso di soggiorno.pdf", "application/pdf", &bytes)),
    );
    let res = upload(app, &op, case_id, body).await;
    res.expect_status(201);
    let doc = res.body.clone();
    assert_eq!(doc["sha256"], json!(sha256_hex(&bytes)));
    assert_eq!(doc["size_bytes"], json!(bytes.len()));
    assert_eq!(doc["format"], "pdf");
    assert_eq!(doc["content_type"], "application/pdf");
    assert_eq!(doc["file_name"], "permesso di soggiorno.pdf");
    assert_eq!(doc["expires_on"], "2027-03-09");
    let url = res.header("location").unwrap();
    assert_eq!(url, format!("/api/v1/cases/{case_id}/documents/{}", doc["id"].as_str().unwrap()));
    assert_eq!(app.get(&url, Some(&op)).await.body, doc);

    let before = app.audit_count("document.download", Some(case_id));
    let file = app.get(&format!("{url}/content"), Some(&op)).await;
    file.expect_status(200);
    assert!(file.bytes == bytes, "the download is the upload, byte for byte");
    assert_eq!(sha256_hex(&file.bytes), doc["sha256"].as_str().unwrap(), "checksum on download");
    assert_eq!(file.header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(file.header("content-length"), Some(bytes.len().to_string()));
    assert_eq!(
        file.header("content-disposition").as_deref(),
        Some(
            "attachment; filename=\"permesso di soggiorno.pdf\"; filename*=UTF-8''permesso%20di%20soggiorno.pdf"
        )
    );
    use base64::Engine;
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&bytes));
    assert_eq!(file.header("repr-digest"), Some(format!("sha-256=:{digest}:")));
    assert_eq!(file.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(file.header("x-content-type-options").as_deref(), Some("nosniff"));
    app.get(&format!("{url}/content"), Some(&op)).await.expect_status(200);
    assert_eq!(app.audit_count("document.download", Some(case_id)), before + 2, "every download is audited");

    app.delete(&url, Some(&op)).await.expect_status(204);
    app.get(&format!("{url}/content"), Some(&op)).await.expect_status(404);
    assert!(items(&app.get(&format!("/api/v1/cases/{case_id}/documents"), Some(&op)).await).is_empty());
}

#[actix_web::test]
async fn documents_round_trip_in_the_database() {
    let app = spawn_app().await;
    round_trip(&app).await;
}

#[actix_web::test]
async fn documents_round_trip_in_a_directory() {
    let app = spawn_app_with(&[("SPORTELLO_DOCUMENT_STORE", "directory")]).await;
    round_trip(&app).await;

    // The file is on disk while the document exists, and gone with it.
    let (_, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let case_id = case["id"].as_str().unwrap();
    let res = upload_pdf(&app, &op, case_id, "other", 2000).await;
    res.expect_status(201);
    let id = res.id();
    let path = app.data_dir().join("documents").join(&id[id.len() - 2..]).join(&id);
    assert_eq!(std::fs::read(&path).unwrap(), pdf(2000));
    app.delete(&res.header("location").unwrap(), Some(&op)).await.expect_status(204);
    assert!(!path.exists(), "deleting the document removes its file");
}

#[actix_web::test]
async fn uploads_are_limited_in_size_and_recognised_from_their_bytes() {
    let app = spawn_app_with(&[("SPORTELLO_DOCUMENT_MAX_BYTES", "4096")]).await;
    let (_, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let case_id = case["id"].as_str().unwrap();

    let too_big = upload_pdf(&app, &op, case_id, "other", 4097).await;
    assert_problem(&too_big, 413, "payload_too_large");
    let just_fits = form(&[("kind", "other")], Some(("fits.pdf", "application/pdf", &pdf(4096))));
    upload(&app, &op, case_id, just_fits).await.expect_status(201);

    // A Windows executable renamed to look like a permit, declared as a PDF: refused whatever it claims.
    let exe =
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode";
    let renamed = upload(
        &app,
        &op,
        case_id,
        form(&[("kind", "residence_permit")], Some(("permesso.pdf", "application/pdf", exe))),
    )
    .await;
    assert_problem(&renamed, 415, "unsupported_media_type");
    // A TIFF is a real image, but not among the formats accepted by default.
    let tiff = upload(
        &app,
        &op,
        case_id,
        form(&[("kind", "other")], Some(("scan.tif", "image/tiff", b"II*\0\x08\0\0\0data"))),
    )
    .await;
    assert_problem(&tiff, 415, "unsupported_media_type");
    // An image is accepted as what its bytes are, whatever the client declared.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    let res = upload(
        &app,
        &op,
        case_id,
        form(&[("kind", "identity_document")], Some(("id.pdf", "application/pdf", png))),
    )
    .await;
    res.expect_status(201);
    assert_eq!(res.body["format"], "png");
    assert_eq!(res.body["file_name"], "id.pdf.png");
    let blank_notes = form(
        &[("kind", "other"), ("notes", ""), ("issued_by", "")],
        Some(("n.pdf", "application/pdf", &pdf(64))),
    );
    let res = upload(&app, &op, case_id, blank_notes).await;
    res.expect_status(201);
    assert_eq!((&res.body["notes"], &res.body["issued_by"]), (&json!(null), &json!(null)));

    let json_body =
        app.post(&format!("/api/v1/cases/{case_id}/documents"), Some(&op), &json!({"kind": "other"})).await;
    assert_problem(&json_body, 415, "unsupported_media_type");
    assert_invalid_field(&upload(&app, &op, case_id, form(&[("kind", "other")], None)).await, "file");
    let empty =
        upload(&app, &op, case_id, form(&[("kind", "other")], Some(("e.pdf", "application/pdf", b"")))).await;
    assert_invalid_field(&empty, "file");
    let no_kind = upload(&app, &op, case_id, form(&[], Some(("a.pdf", "application/pdf", &pdf(100))))).await;
    assert_invalid_field(&no_kind, "kind");
    let bad_kind = form(&[("kind", "selfie")], Some(("a.pdf", "application/pdf", &pdf(100))));
    assert_invalid_field(&upload(&app, &op, case_id, bad_kind).await, "kind");
    let dates = form(
        &[("kind", "residence_permit"), ("issued_on", "2025-03-10"), ("expires_on", "2024-03-09")],
        Some(("a.pdf", "application/pdf", &pdf(100))),
    );
    assert_invalid_field(&upload(&app, &op, case_id, dates).await, "expires_on");
    // An HTML form sends every field: an empty note means none, but an empty date is not a date.
    let empty_date = form(
        &[("kind", "residence_permit"), ("expires_on", ""), ("notes", "")],
        Some(("a.pdf", "application/pdf", &pdf(100))),
    );
    assert_invalid_field(&upload(&app, &op, case_id, empty_date).await, "expires_on");
    let unknown = form(&[("kind", "other"), ("owner", "x")], Some(("a.pdf", "application/pdf", &pdf(100))));
    assert_invalid_field(&upload(&app, &op, case_id, unknown).await, "owner");
    let stranger = form(
        &[("kind", "other"), ("family_member_id", "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a50")],
        Some(("a.pdf", "application/pdf", &pdf(100))),
    );
    assert_invalid_field(&upload(&app, &op, case_id, stranger).await, "family_member_id");
    let garbage = app
        .send_raw(
            Method::POST,
            &format!("/api/v1/cases/{case_id}/documents"),
            Some(&op),
            Some(&format!("multipart/form-data; boundary={BOUNDARY}")),
            b"not a form at all".to_vec(),
            &[],
        )
        .await;
    assert_eq!(garbage.status / 100, 4, "a broken form is the client's error: {}", garbage.text);

    // Only the three good uploads were kept.
    assert_eq!(items(&app.get(&format!("/api/v1/cases/{case_id}/documents"), Some(&op)).await).len(), 3);
}

#[actix_web::test]
async fn an_idempotent_retry_of_an_upload_stores_it_once() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let case_id = case["id"].as_str().unwrap();
    // Over the 1 MiB of JSON bodies: the key still works for a document.
    let body = form(&[("kind", "certificate")], Some(("c.pdf", "application/pdf", &pdf(1_500_000))));
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let path = format!("/api/v1/cases/{case_id}/documents");
    let send = || {
        app.send_raw(
            Method::POST,
            &path,
            Some(&op),
            Some(&content_type),
            body.clone(),
            &[("Idempotency-Key", "up-1")],
        )
    };
    let first = send().await;
    first.expect_status(201);
    let again = send().await;
    again.expect_status(201);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(items(&app.get(&path, Some(&op)).await).len(), 1);
}

#[actix_web::test]
async fn documents_are_searched_by_metadata_within_what_the_caller_sees() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let (_, other) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let case_id = case["id"].as_str().unwrap();
    let members = app.get(&format!("/api/v1/cases/{case_id}/family-members"), Some(&op)).await;
    let child = items(&members)[0]["id"].as_str().unwrap().to_string();
    let child = child.as_str();
    let second = create_case(&app, &op, &amina()).await;
    let second_id = second["id"].as_str().unwrap();
    let file = pdf(300);
    let permit = |expires: &'static str| {
        form(
            &[("kind", "residence_permit"), ("issued_by", "Questura di Cremona"), ("expires_on", expires)],
            Some(("p.pdf", "application/pdf", &file)),
        )
    };
    let soon = upload(&app, &op, case_id, permit("2026-12-20")).await.id();
    let later = upload(&app, &op, second_id, permit("2028-01-31")).await.id();
    let school = form(
        &[("kind", "school"), ("family_member_id", child), ("issued_by", "IC Cremona Uno")],
        Some(("pagella.pdf", "application/pdf", &file)),
    );
    let report = upload(&app, &op, case_id, school).await.id();

    let ids = |res: TestResponse| -> Vec<String> {
        items(&res).iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(
        ids(app.get("/api/v1/documents", Some(&op)).await),
        vec![report.clone(), later.clone(), soon.clone()]
    );
    let renewals = app.get("/api/v1/documents?kind=residence_permit&expires_to=2026-12-31", Some(&op)).await;
    assert_eq!(ids(renewals), vec![soon.clone()]);
    assert_eq!(
        ids(app.get("/api/v1/documents?expires_from=2027-01-01", Some(&op)).await),
        vec![later.clone()]
    );
    assert_eq!(
        ids(app.get("/api/v1/documents?issued_by=QUESTURA", Some(&op)).await),
        vec![later, soon.clone()]
    );
    assert_eq!(
        ids(app.get(&format!("/api/v1/documents?family_member_id={child}"), Some(&op)).await),
        vec![report.clone()]
    );
    assert_eq!(
        ids(app.get(&format!("/api/v1/documents?case_id={case_id}"), Some(&op)).await),
        vec![report, soon.clone()]
    );
    let bad = app.get("/api/v1/documents?expires_from=2027-01-01&expires_to=2026-01-01", Some(&op)).await;
    assert_problem(&bad, 400, "invalid_query");
    assert_problem(&app.get("/api/v1/documents?kind=selfie", Some(&op)).await, 400, "invalid_query");
    assert_eq!(app.audit_count("document.list", None), 6, "each listing is audited");

    // Another organization sees none of it, and cannot reach a file by its address.
    assert!(ids(app.get("/api/v1/documents", Some(&other)).await).is_empty());
    let foreign = format!("/api/v1/cases/{case_id}/documents/{soon}");
    app.get(&foreign, Some(&other)).await.expect_status(404);
    app.get(&format!("{foreign}/content"), Some(&other)).await.expect_status(404);
    app.get(&format!("/api/v1/cases/{case_id}/documents"), Some(&other)).await.expect_status(404);
    let theirs =
        upload(&app, &other, case_id, form(&[("kind", "other")], Some(("x.pdf", "application/pdf", &file))))
            .await;
    theirs.expect_status(404);
    // Nor does an analyst, who never reads personal data.
    let analyst = app.user_token("analyst", case["organization_id"].as_str().unwrap()).await;
    app.get("/api/v1/documents", Some(&analyst)).await.expect_status(403);
}

#[actix_web::test]
async fn metadata_is_corrected_under_if_match() {
    let app = spawn_app().await;
    let (_, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let case_id = case["id"].as_str().unwrap();
    let res = upload_pdf(&app, &op, case_id, "other", 100).await;
    let url = res.header("location").unwrap();
    let patched = app
        .patch(
            &url,
            Some(&op),
            &json!({"kind": "passport", "file_name": "../passaporto", "expires_on": "2030-01-01"}),
            Some("\"1\""),
        )
        .await;
    patched.expect_status(200);
    assert_eq!(patched.body["kind"], "passport");
    assert_eq!(patched.body["file_name"], "passaporto.pdf", "no directories; the real extension");
    assert_eq!(patched.body["sha256"], res.body["sha256"], "the bytes never change");
    assert_problem(
        &app.patch(&url, Some(&op), &json!({"notes": "x"}), Some("\"1\"")).await,
        412,
        "precondition_failed",
    );
    let backwards = app.patch(&url, Some(&op), &json!({"issued_on": "2030-06-01"}), Some("\"2\"")).await;
    assert_eq!(backwards.status, 422, "{}", backwards.text);
    let cleared = app.patch(&url, Some(&op), &json!({"expires_on": null}), Some("\"2\"")).await;
    cleared.expect_status(200);
    assert_eq!(cleared.body["expires_on"], Value::Null);
}

#[actix_web::test]
async fn erasure_deletes_the_documents_and_the_export_lists_them() {
    let app = spawn_app_with(&[("SPORTELLO_DOCUMENT_STORE", "directory")]).await;
    let (org, op) = desk_operator(&app).await;
    let coordinator = app.user_token("coordinator", &org).await;
    let case = create_case(&app, &op, &amina()).await;
    let case_id = case["id"].as_str().unwrap();
    let id = upload_pdf(&app, &op, case_id, "consent", 500).await.id();
    let export = app.get(&format!("/api/v1/cases/{case_id}/export"), Some(&coordinator)).await;
    export.expect_status(200);
    assert_eq!(export.body["documents"][0]["id"], json!(id));

    let path = app.data_dir().join("documents").join(&id[id.len() - 2..]).join(&id);
    assert!(path.exists());
    app.post(
        &format!("/api/v1/cases/{case_id}/erasure"),
        Some(&coordinator),
        &json!({"reason": "Art. 17 request"}),
    )
    .await
    .expect_status(204);
    assert!(!path.exists(), "the file goes with the erasure");
    use diesel::prelude::*;
    use sportello::db::schema::{document_contents as dc, documents as d};
    let mut conn = app.database().get().unwrap();
    let left: i64 = d::table.filter(d::case_id.eq(case_id)).count().get_result(&mut *conn).unwrap();
    let bytes: i64 = dc::table.count().get_result(&mut *conn).unwrap();
    assert_eq!((left, bytes), (0, 0));
}

#[actix_web::test]
async fn erasure_deletes_documents_held_in_the_database() {
    let app = spawn_app().await;
    let (org, op) = desk_operator(&app).await;
    let coordinator = app.user_token("coordinator", &org).await;
    let case = create_case(&app, &op, &amina()).await;
    let case_id = case["id"].as_str().unwrap();
    upload_pdf(&app, &op, case_id, "consent", 500).await.expect_status(201);
    app.post(
        &format!("/api/v1/cases/{case_id}/erasure"),
        Some(&coordinator),
        &json!({"reason": "Art. 17 request"}),
    )
    .await
    .expect_status(204);
    use diesel::prelude::*;
    use sportello::db::schema::{document_contents as dc, documents as d};
    let mut conn = app.database().get().unwrap();
    let rows: i64 = d::table.count().get_result(&mut *conn).unwrap();
    let bytes: i64 = dc::table.count().get_result(&mut *conn).unwrap();
    assert_eq!((rows, bytes), (0, 0), "neither the metadata nor the bytes are kept");
}

#[actix_web::test]
async fn the_sweep_removes_files_that_no_document_names() {
    let app = spawn_app_with(&[("SPORTELLO_DOCUMENT_STORE", "directory")]).await;
    let (_, op) = desk_operator(&app).await;
    let case = create_case(&app, &op, &amina()).await;
    let case_id = case["id"].as_str().unwrap();
    let id = upload_pdf(&app, &op, case_id, "other", 300).await.id();
    let dir = app.data_dir().join("documents");
    let kept = dir.join(&id[id.len() - 2..]).join(&id);
    // Left by a crash between a deletion's commit and its file's removal.
    let orphan = dir.join("ab").join("0195f6a2-7c1e-7d41-9a51-3b0c2f1e9aab");
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, pdf(10)).unwrap();
    // An upload still being written: younger than a minute, left alone.
    let writing = dir.join("ab").join("0195f6a2-7c1e-7d41-9a51-3b0c2f1e9bab.part");
    std::fs::write(&writing, pdf(10)).unwrap();

    let location = sportello::config::DocumentStoreLocation::Directory(dir);
    let store = sportello::db::document_store::DocumentStore::open(&location).unwrap();
    let mut conn = app.database().get().unwrap();
    assert_eq!(store.sweep(&mut conn).unwrap(), 1);
    assert!(!orphan.exists());
    assert!(kept.exists() && writing.exists());
}
