//! Two server processes on one database: optimistic concurrency holds across nodes (no lost update).

use futures_util::future::join_all;
use serde_json::json;

use crate::cases::{create_case, desk_operator};
use crate::support::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn concurrent_patches_across_two_nodes_lose_no_update() {
    let first = spawn_app().await;
    let second = spawn_app_with(&[("SPORTELLO_DATABASE_URL", first.database_url.as_str())]).await;
    let (_, op) = desk_operator(&first).await;
    let case = create_case(&first, &op, &json!({"given_name": "Shared", "family_name": "Case"})).await;
    let url = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());

    // 200 PATCHes of version 1, split across both nodes: exactly one wins, the rest are 412.
    let attempts = (0..200).map(|i| {
        let node = if i % 2 == 0 { &first } else { &second };
        let (url, op) = (url.clone(), op.clone());
        async move {
            node.patch(&url, Some(&op), &json!({"phone": format!("+39 02 {i:04}")}), Some("\"1\"")).await
        }
    });
    let statuses: Vec<u16> = join_all(attempts).await.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 199, "{statuses:?}");

    // 30 writers each append a marker with read-modify-write and retry on 412: every marker survives.
    let writers = (0..30).map(|i| {
        let node = if i % 2 == 0 { &first } else { &second };
        let (url, op) = (url.clone(), op.clone());
        async move {
            loop {
                let current = node.get(&url, Some(&op)).await;
                let etag = current.header("etag").unwrap();
                let notes = current.body["notes"].as_str().unwrap_or("").to_string();
                let res = node
                    .patch(&url, Some(&op), &json!({"notes": format!("{notes}[{i}]")}), Some(&etag))
                    .await;
                match res.status {
                    200 => break,
                    412 => continue,
                    other => panic!("unexpected {other}: {}", res.text),
                }
            }
        }
    });
    join_all(writers).await;
    let last = second.get(&url, Some(&op)).await;
    let notes = last.body["notes"].as_str().unwrap();
    for i in 0..30 {
        assert!(notes.contains(&format!("[{i}]")), "marker {i} was lost: {notes}");
    }
    assert_eq!(last.body["version"], 32, "one version per successful write");
}
