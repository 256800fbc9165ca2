//! Fixtures shared by the network tests: organizations with their people, providers, consents, referrals.

use serde_json::{Value, json};

use crate::support::{TestApp, unique_code};

/// An organization and a logged-in user of each role that works in it.
pub struct Agency {
    pub id: String,
    pub operator: String,
    pub coordinator: String,
    pub staff: String,
}

impl Agency {
    pub async fn new(app: &TestApp) -> Agency {
        let admin = app.admin_token().await;
        let id = app.create_organization(&admin, &unique_code()).await;
        Agency {
            operator: app.user_token("operator", &id).await,
            coordinator: app.user_token("coordinator", &id).await,
            staff: app.user_token("provider_staff", &id).await,
            id,
        }
    }
}

/// A provider of the directory linked to `organization` (None: external), created by the admin.
pub async fn provider(app: &TestApp, organization: Option<&str>, name: &str) -> String {
    let admin = app.admin_token().await;
    let mut body = json!({"name": name, "category": "police_immigration_office"});
    if let Some(org) = organization {
        body["organization_id"] = json!(org);
    }
    let res = app.post("/api/v1/providers", Some(&admin), &body).await;
    res.expect_status(201);
    res.id()
}

pub async fn open_case(app: &TestApp, token: &str, body: Value) -> String {
    let res = app.post("/api/v1/cases", Some(token), &body).await;
    res.expect_status(201);
    res.id()
}

pub async fn consent(app: &TestApp, token: &str, case: &str, body: Value) -> String {
    let res = app.post(&format!("/api/v1/cases/{case}/consents"), Some(token), &body).await;
    res.expect_status(201);
    res.id()
}

/// A referral of `case` to `provider`, sent at once; the case must hold a covering consent.
pub async fn refer(app: &TestApp, token: &str, case: &str, provider: &str) -> Value {
    let body = json!({"provider_id": provider, "need": "residence_permit", "urgency": "urgent",
        "reason": "Permit expires in three weeks"});
    let res = app.post(&format!("/api/v1/cases/{case}/referrals"), Some(token), &body).await;
    res.expect_status(201);
    res.body.clone()
}

/// Moves a referral; returns the response for the caller to check.
pub async fn move_referral(
    app: &TestApp,
    token: &str,
    id: &str,
    body: Value,
) -> crate::support::TestResponse {
    app.post(&format!("/api/v1/referrals/{id}/status"), Some(token), &body).await
}
